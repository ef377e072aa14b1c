#!/bin/sh
# A second, benchmark-only RabbitMQ node on 127.0.0.1:5673 with a file limit
# that allows 5,000+ connections (Debian's node starts with 1,024 descriptors,
# i.e. 832 sockets). It leaves the shared node on 5672 alone. Run as root, then:
#   npm run bench -- --broker amqp://guest:guest@127.0.0.1:5673
set -e
dir=/tmp/warren-bench-rmq
mkdir -p "$dir"
echo '[].' > "$dir/enabled_plugins"
printf 'listeners.tcp.1 = 127.0.0.1:5673\n' > "$dir/rabbitmq.conf"
chown -R rabbitmq "$dir"
ulimit -n 20000
cd /var/lib/rabbitmq
# setpriv, unlike su, keeps the raised limit (no PAM session).
HOME=/var/lib/rabbitmq RABBITMQ_CONFIG_FILE="$dir/rabbitmq.conf" RABBITMQ_NODENAME=warrenbench@localhost \
  RABBITMQ_NODE_PORT=5673 RABBITMQ_DIST_PORT=25673 RABBITMQ_MNESIA_BASE="$dir/mnesia" RABBITMQ_LOG_BASE="$dir/log" \
  RABBITMQ_ENABLED_PLUGINS_FILE="$dir/enabled_plugins" RABBITMQ_PID_FILE="$dir/pid" \
  setpriv --reuid rabbitmq --regid rabbitmq --init-groups /usr/lib/rabbitmq/bin/rabbitmq-server -detached
