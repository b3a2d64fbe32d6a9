#!/bin/bash
# Runs inside the ZoneMinder guest's root file system (chroot) after zoneminder/rootfs is in place:
# creates ZoneMinder's database, turns on authentication for the web UI and the API with an admin
# password chosen here, and configures Apache for /zm/ and /zm/api/.
# SPDX-License-Identifier: GPL-2.0-or-later
set -euo pipefail

# (head closes the pipe early: tr's SIGPIPE is expected here)
rand() { (set +o pipefail; LC_ALL=C tr -dc 'A-Za-z0-9' < /dev/urandom | head -c "$1"); }
DB_PASS=$(rand 24)
ADMIN_PASS=$(rand 20)
HASH_SECRET=$(rand 40)

# --- Database (MariaDB, started by hand inside the chroot, stopped cleanly at the end) ---
install -d -o mysql -g mysql /run/mysqld
/usr/sbin/mariadbd --user=mysql --skip-networking --socket=/run/mysqld/mysqld.sock \
    --pid-file=/run/mysqld/mysqld.pid --log-error=/tmp/mariadb-build.log &
DB_PID=$!
for _ in $(seq 120); do
    mariadb-admin --socket=/run/mysqld/mysqld.sock ping >/dev/null 2>&1 && break
    sleep 0.5
done
mariadb-admin --socket=/run/mysqld/mysqld.sock ping >/dev/null || { cat /tmp/mariadb-build.log; exit 1; }
SQL() { mariadb --socket=/run/mysqld/mysqld.sock "$@"; }

SQL < /usr/share/zoneminder/db/zm_create.sql
SQL <<SQL
CREATE USER 'zmuser'@'localhost' IDENTIFIED BY '${DB_PASS}';
GRANT LOCK TABLES, ALTER, CREATE, SELECT, INSERT, UPDATE, DELETE, INDEX, TRIGGER ON zm.* TO 'zmuser'@'localhost';
FLUSH PRIVILEGES;
SQL

# Authentication on (web UI and API), tokens for the API, no calls home.
ADMIN_HASH=$(htpasswd -nbBC 10 admin "$ADMIN_PASS" | cut -d: -f2)
SQL zm <<SQL
UPDATE Users SET Password='${ADMIN_HASH}', APIEnabled=1 WHERE Username='admin';
UPDATE Config SET Value='1' WHERE Name='ZM_OPT_USE_AUTH';
UPDATE Config SET Value='1' WHERE Name='ZM_OPT_USE_API';
UPDATE Config SET Value='builtin' WHERE Name='ZM_AUTH_TYPE';
UPDATE Config SET Value='hashed' WHERE Name='ZM_AUTH_RELAY';
UPDATE Config SET Value='${HASH_SECRET}' WHERE Name='ZM_AUTH_HASH_SECRET';
UPDATE Config SET Value='0' WHERE Name='ZM_OPT_USE_LEGACY_API_AUTH';
UPDATE Config SET Value='UTC' WHERE Name='ZM_TIMEZONE';
UPDATE Config SET Value='0' WHERE Name='ZM_CHECK_FOR_UPDATES';
UPDATE Config SET Value='0' WHERE Name='ZM_TELEMETRY_DATA';
UPDATE Config SET Value='0' WHERE Name='ZM_SHOW_PRIVACY';
SQL
SQL zm -e "SELECT Name, Value FROM Config WHERE Name IN ('ZM_OPT_USE_AUTH','ZM_OPT_USE_API','ZM_OPT_USE_LEGACY_API_AUTH','ZM_TIMEZONE','ZM_CHECK_FOR_UPDATES','ZM_TELEMETRY_DATA','ZM_SHOW_PRIVACY','ZM_DYN_DB_VERSION'); SELECT Username, APIEnabled, LEFT(Password,7) FROM Users;"

mariadb-admin --socket=/run/mysqld/mysqld.sock shutdown
wait "$DB_PID" || true
rm -f /tmp/mariadb-build.log

# --- ZoneMinder's own configuration ---
# The database password, in a file that overrides zm.conf; Apache (www-data) and ZoneMinder's
# daemons (www-data, Debian's unit) must read both (zm.conf ships root:root 0640).
# ZM_PATH_FFMPEG: Debian's build did not find ffmpeg (it is only recommended); ZoneMinder's web
# pages cut frames out of its recordings with it, and so does vms-wall for the live view.
printf '# Written by images/vms-guest/zoneminder/setup.sh\nZM_DB_PASS=%s\nZM_PATH_FFMPEG=/usr/bin/ffmpeg\n' "$DB_PASS" \
    > /etc/zm/conf.d/03-appliance.conf
chgrp www-data /etc/zm/zm.conf /etc/zm/conf.d/03-appliance.conf
chmod 0640 /etc/zm/zm.conf /etc/zm/conf.d/03-appliance.conf
# The API's web server writes CakePHP's cache under api/app/tmp -> /var/cache/zoneminder/temp.
install -d -o www-data -g www-data /var/cache/zoneminder/temp /var/cache/zoneminder/events /var/cache/zoneminder/images
chown www-data:www-data /var/cache/zoneminder /var/log/zm /var/lib/zm

# The admin password for the agent (root only) and for whoever builds the image (build.sh copies it out).
install -d -m 0700 /etc/appliance-vms
printf '%s\n' "$ADMIN_PASS" > /etc/appliance-vms/zm-admin.pass
chmod 0600 /etc/appliance-vms/zm-admin.pass

# --- PHP and Apache ---
for d in /etc/php/*/apache2/conf.d; do
    printf '; ZoneMinder wants PHP, the database and the system on one time zone\ndate.timezone = UTC\n' > "$d/30-appliance-timezone.ini"
done
a2enmod -q cgi rewrite
a2enconf -q zoneminder zoneminder-api
echo 'ServerName localhost' > /etc/apache2/conf-available/servername.conf
a2enconf -q servername
apache2ctl -t 2>&1 | tail -n 2
apache2ctl -M 2>/dev/null | grep -E 'php|rewrite|cgi|mpm' || true

systemctl enable mariadb.service apache2.service zoneminder.service
# Debian's PHP session cleaner runs every 30 minutes and takes ~30 s of CPU under TCG; the API
# uses tokens, and web UI sessions are few in a test guest.
systemctl mask phpsessionclean.timer
