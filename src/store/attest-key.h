/* attest-key.h: this installation's secret, which the gallery database never holds.
 *
 * One random 32-byte secret per installation, in a 0600 file under the user's config folder
 * ($XDG_CONFIG_HOME/attest/installation.key; $ATTEST_KEY_FILE names another file). From it
 * libsodium derives (crypto_kdf) two keys:
 *  - an HMAC-SHA256 key that authenticates every audit entry and the audit head, so that
 *    someone holding only the database can neither rewrite nor truncate the log unnoticed;
 *  - an Ed25519 key pair that signs export manifests, so that an export verifies itself
 *    against the public key it names.
 * The key id is the first 16 hex digits of the SHA-256 of the Ed25519 public key.
 *
 * Why a file and not the keyring: the CLI, scans and CI run without a session keyring, and
 * the file sits beside the user's other Attest settings with the database's own permissions.
 * Whoever holds this file as well as the database can forge entries (README, "What the audit
 * log guarantees"). Any thread: the object is immutable once loaded. */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define ATTEST_TYPE_KEY (attest_key_get_type ())
G_DECLARE_FINAL_TYPE (AttestKey, attest_key, ATTEST, KEY, GObject)

/* $ATTEST_KEY_FILE, else $XDG_CONFIG_HOME/attest/installation.key; newly allocated. */
char       *attest_key_default_path   (void);

/* Loads the key file at `path`. When it does not exist and `create` is set, makes a new
 * secret (folder 0700, file 0600; a key another process created first wins). A file that
 * others may read, or that is not a key file, is refused with a message naming it: it is
 * never replaced, since every entry it authenticated would then stop verifying. */
AttestKey  *attest_key_load           (const char   *path,
                                       gboolean      create,
                                       GError      **error);

const char *attest_key_get_id         (AttestKey    *self);
/* Base64 of the 32-byte Ed25519 public key. */
const char *attest_key_get_public_key (AttestKey    *self);
const char *attest_key_get_path       (AttestKey    *self);

/* Lowercase hex HMAC-SHA256 of `domain` ":" `text` under the audit key. */
char       *attest_key_mac            (AttestKey    *self,
                                       const char   *domain,
                                       const char   *text);
/* Base64 of the detached Ed25519 signature of `data`. */
char       *attest_key_sign           (AttestKey    *self,
                                       const void   *data,
                                       gsize         length);

/* Checks a detached signature (base64) of `data` against a public key (base64). FALSE for
 * anything malformed. */
gboolean    attest_key_verify_signature (const char *public_key,
                                         const void *data,
                                         gsize       length,
                                         const char *signature);
/* The key id of a public key (base64), or NULL when it is not one. */
char       *attest_key_id_for_public_key (const char *public_key);

G_END_DECLS
