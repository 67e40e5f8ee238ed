#!/bin/bash
# cachedemo NAT instance: forward the private subnets' traffic and masquerade it.
set -euo pipefail
cat > /usr/local/sbin/cachedemo-nat <<'SCRIPT'
@NAT_SCRIPT@
SCRIPT
chmod 0755 /usr/local/sbin/cachedemo-nat
cat > /etc/systemd/system/cachedemo-nat.service <<'UNIT'
[Unit]
Description=cachedemo NAT: forward and masquerade the private subnets
Wants=network-online.target
After=network-online.target

[Service]
Type=oneshot
RemainAfterExit=yes
ExecStart=/usr/local/sbin/cachedemo-nat
Restart=on-failure
RestartSec=10

[Install]
WantedBy=multi-user.target
UNIT
systemctl daemon-reload
systemctl enable --now cachedemo-nat.service

