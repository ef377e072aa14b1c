#!/usr/bin/env bash
# Makes sure RabbitMQ answers on 127.0.0.1:5672: starts it if installed, installs
# it (Debian's rabbitmq-server) if not and we are root. Says what is missing otherwise.
set -uo pipefail

port_open() { (exec 3<>/dev/tcp/127.0.0.1/5672) 2>/dev/null; }

wait_for_broker() {
  for _ in $(seq 1 90); do
    if port_open && rabbitmqctl -q status >/dev/null 2>&1; then return 0; fi
    sleep 1
  done
  return 1
}

if port_open; then exit 0; fi

if ! command -v rabbitmq-server >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "ensure-broker: installing rabbitmq-server from Debian's packages…" >&2
    apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq rabbitmq-server >/dev/null || {
      echo "ensure-broker: could not install rabbitmq-server with apt-get." >&2
      exit 1
    }
  else
    echo "ensure-broker: no broker on 127.0.0.1:5672 and rabbitmq-server is not installed." >&2
    echo "  Install it (apt-get install -y rabbitmq-server) or start RabbitMQ/LavinMQ with guest/guest on 5672." >&2
    exit 1
  fi
fi

echo "ensure-broker: starting RabbitMQ (rabbitmq-server -detached)…" >&2
rabbitmq-server -detached >/dev/null 2>&1 || true
if wait_for_broker; then exit 0; fi
echo "ensure-broker: RabbitMQ did not come up on 127.0.0.1:5672 within 90 s; see /var/log/rabbitmq/." >&2
exit 1
