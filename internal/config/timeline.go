package config

// Timeline configures the evidence the timeline leaves outside the database.
type Timeline struct {
	// SigningKeyFile is the ed25519 private key that signs `incidentbot timeline export`
	// bundles: PEM (PKCS #8, "PRIVATE KEY") or the raw 32-byte seed or 64-byte key. Make
	// one with `incidentbot timeline keygen FILE` (or `openssl genpkey -algorithm ed25519`).
	SigningKeyFile string `yaml:"signing_key_file"`
}
