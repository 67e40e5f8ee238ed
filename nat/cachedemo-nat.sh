#!/bin/bash
set -euo pipefail
command -v nft >/dev/null || dnf install -y -q nftables
sysctl -q -w net.ipv4.ip_forward=1
dev=$(ip -4 route show default | awk '{print $5; exit}')
nft -f - <<RULES
table ip cachedemo_nat
delete table ip cachedemo_nat
table ip cachedemo_nat {
  chain postrouting {
    type nat hook postrouting priority srcnat; policy accept;
    ip saddr @VPC_CIDR@ oifname "$dev" masquerade
  }
}
RULES
