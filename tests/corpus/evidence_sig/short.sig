fwseal-evidence-signature-1
key-id: 0011
algorithm: ecdsa-p256-sha256
