# Asterisk 22 from Debian sid; the hotline's own configuration files are
# mounted over the package defaults by docker-compose.yml.
FROM debian:sid-slim
RUN apt-get -o Acquire::Check-Valid-Until=false update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends asterisk \
 && rm -rf /var/lib/apt/lists/* \
 && mkdir -p /var/run/asterisk \
 && chown -R asterisk:asterisk /var/run/asterisk /var/lib/asterisk /var/log/asterisk /var/spool/asterisk /etc/asterisk
CMD ["/usr/sbin/asterisk", "-f", "-U", "asterisk", "-G", "asterisk"]
