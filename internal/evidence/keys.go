package evidence

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
)

// The key files this package reads. A private key is a PEM "PRIVATE KEY" block (PKCS #8,
// as `openssl genpkey -algorithm ed25519` and `incidentbot timeline keygen` write it), or
// the raw key: a file of exactly 32 bytes (the seed) or 64 (seed and public key, as Go's
// ed25519.PrivateKey). A public key is a PEM "PUBLIC KEY" block (PKIX, as
// `openssl pkey -in key.pem -pubout` writes it), or the raw 32 bytes.

// LoadPrivateKey reads the ed25519 private key at path.
func LoadPrivateKey(path string) (ed25519.PrivateKey, error) {
	b, err := readKey(path)
	if err != nil {
		return nil, err
	}
	if blk, _ := pem.Decode(b); blk != nil {
		switch blk.Type {
		case "PRIVATE KEY":
		case "ENCRYPTED PRIVATE KEY":
			return nil, fmt.Errorf("%s: the key is encrypted; give it unencrypted, in a file only the bot can read", path)
		case "PUBLIC KEY":
			return nil, fmt.Errorf("%s: holds a public key; signing needs the private key", path)
		default:
			return nil, fmt.Errorf("%s: a PEM %q block; want \"PRIVATE KEY\" (PKCS #8, as openssl genpkey -algorithm ed25519 writes it)", path, blk.Type)
		}
		k, err := x509.ParsePKCS8PrivateKey(blk.Bytes)
		if err != nil {
			return nil, fmt.Errorf("%s: not a PKCS #8 private key: %w", path, err)
		}
		priv, ok := k.(ed25519.PrivateKey)
		if !ok {
			return nil, fmt.Errorf("%s: a %s key; the timeline is signed with ed25519", path, keyType(k))
		}
		return priv, nil
	}
	switch len(b) {
	case ed25519.SeedSize:
		return ed25519.NewKeyFromSeed(b), nil
	case ed25519.PrivateKeySize:
		priv := ed25519.NewKeyFromSeed(b[:ed25519.SeedSize])
		if !bytes.Equal(priv[ed25519.SeedSize:], b[ed25519.SeedSize:]) {
			return nil, fmt.Errorf("%s: a raw 64-byte key whose public half does not belong to its seed", path)
		}
		return priv, nil
	}
	return nil, fmt.Errorf("%s: neither a PEM private key (PKCS #8) nor a raw ed25519 key of 32 or 64 bytes (it has %d bytes)", path, len(b))
}

// LoadPublicKey reads the ed25519 public key at path.
func LoadPublicKey(path string) (ed25519.PublicKey, error) {
	b, err := readKey(path)
	if err != nil {
		return nil, err
	}
	if blk, _ := pem.Decode(b); blk != nil {
		if blk.Type != "PUBLIC KEY" {
			return nil, fmt.Errorf("%s: a PEM %q block; want \"PUBLIC KEY\" (the .pub file of incidentbot timeline keygen, or openssl pkey -in KEY -pubout)", path, blk.Type)
		}
		k, err := x509.ParsePKIXPublicKey(blk.Bytes)
		if err != nil {
			return nil, fmt.Errorf("%s: not a PKIX public key: %w", path, err)
		}
		pub, ok := k.(ed25519.PublicKey)
		if !ok {
			return nil, fmt.Errorf("%s: a %s key; the timeline is signed with ed25519", path, keyType(k))
		}
		return pub, nil
	}
	if len(b) == ed25519.PublicKeySize {
		return ed25519.PublicKey(b), nil
	}
	return nil, fmt.Errorf("%s: neither a PEM public key (PKIX) nor a raw ed25519 public key of 32 bytes (it has %d bytes)", path, len(b))
}

func readKey(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%s: no such file", path)
	}
	if err != nil {
		return nil, err
	}
	return b, nil
}

func keyType(k any) string {
	switch k.(type) {
	case ed25519.PrivateKey, ed25519.PublicKey:
		return "ed25519"
	}
	return fmt.Sprintf("%T", k)
}

// GenerateKey writes a new ed25519 key pair: the private key to path (PEM, PKCS #8, readable
// by its owner only) and the public key to path+".pub" (PEM, PKIX). It overwrites neither.
func GenerateKey(path string) (ed25519.PublicKey, error) {
	for _, p := range []string{path, path + ".pub"} {
		if _, err := os.Lstat(p); err == nil {
			return nil, fmt.Errorf("%s exists; not overwritten (bundles signed with its key would no longer verify with a new one)", p)
		}
	}
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, err
	}
	p8, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return nil, err
	}
	pkix, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return nil, err
	}
	for _, f := range []struct {
		path string
		typ  string
		der  []byte
		mode os.FileMode
	}{{path, "PRIVATE KEY", p8, 0o600}, {path + ".pub", "PUBLIC KEY", pkix, 0o644}} {
		out, err := os.OpenFile(f.path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, f.mode)
		if errors.Is(err, fs.ErrExist) {
			return nil, fmt.Errorf("%s exists; not overwritten (a bundle signed with the old key would no longer verify with the new one)", f.path)
		}
		if err != nil {
			return nil, err
		}
		err = pem.Encode(out, &pem.Block{Type: f.typ, Bytes: f.der})
		if cerr := out.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f.path, err)
		}
	}
	return pub, nil
}

// Fingerprint names a public key for people: "ed25519:" and the first 8 bytes of its
// SHA-256, in hex.
func Fingerprint(pub ed25519.PublicKey) string {
	sum := sha256.Sum256(pub)
	return "ed25519:" + hex.EncodeToString(sum[:8])
}
