/// The AWS client layer: SigV4 signing, credentials, endpoints, transport, service clients.
public enum AWSClientLayer {}
