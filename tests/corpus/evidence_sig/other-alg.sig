fwseal-evidence-signature-1
key-id: 0011223344556677
algorithm: rsa
signed-sha256: 00
signature: 00
