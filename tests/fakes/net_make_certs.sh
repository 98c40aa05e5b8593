#!/bin/sh
# Copyright (c) 2026 mlcloud developers
# Distributed under the Boost Software License, Version 1.0.
#
# Makes a throw-away CA and server certificates for the transport's TLS tests, with the
# openssl command-line tool:
#   ca.pem                      the test CA (clients trust it with tls_options::ca_file)
#   good.pem / good.key         localhost and 127.0.0.1, valid 2020-2045
#   wronghost.pem / .key        only "wrong.example": a hostname mismatch for 127.0.0.1
#   expired.pem / .key          localhost and 127.0.0.1, expired in 2021
#
#   net_make_certs.sh <dir>
set -eu

dir=$1
mkdir -p "$dir"
cd "$dir"
if [ -f complete ]; then
    exit 0
fi
rm -rf db
mkdir db
: > db/index.txt
echo 1000 > db/serial

openssl ecparam -name prime256v1 -genkey -noout -out ca.key
openssl req -x509 -new -key ca.key -sha256 -days 7300 -subj "/CN=mlcloud test CA" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -out ca.pem

cat > ca.cnf <<'EOF'
[ca]
default_ca = test_ca

[test_ca]
dir = .
database = db/index.txt
serial = db/serial
new_certs_dir = db
certificate = ca.pem
private_key = ca.key
default_md = sha256
policy = policy_any
unique_subject = no
copy_extensions = none

[policy_any]
commonName = supplied

[server_localhost]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost, IP:127.0.0.1

[server_wrong_host]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:wrong.example
EOF

# make_cert <name> <extensions section> <not before> <not after>
make_cert() {
    openssl ecparam -name prime256v1 -genkey -noout -out "$1.key"
    openssl req -new -key "$1.key" -subj "/CN=$1" -out "$1.csr"
    openssl ca -batch -config ca.cnf -extensions "$2" -startdate "$3" -enddate "$4" \
        -in "$1.csr" -out "$1.pem" -notext 2>/dev/null
    rm -f "$1.csr"
}

make_cert good server_localhost 20200101000000Z 20450101000000Z
make_cert wronghost server_wrong_host 20200101000000Z 20450101000000Z
make_cert expired server_localhost 20200101000000Z 20210101000000Z

touch complete
echo "test certificates in $dir"
