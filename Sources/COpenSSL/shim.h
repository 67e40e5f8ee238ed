/* The low-level SHA-256 API is deprecated in OpenSSL 3 but is the fast path for HMAC
   with precomputed pads (SigV4 signs with the same derived key all day). */
#define OPENSSL_SUPPRESS_DEPRECATED 1
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>
#include <openssl/rand.h>
