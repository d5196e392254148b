/* attest-key.c: the installation key (see attest-key.h).
 *
 * File format (a GKeyFile, so a person can see what it is):
 *
 *   [Attest installation key]
 *   version=1
 *   secret=<base64 of 32 random bytes>
 *   created=<ISO 8601 time>
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <sodium.h>
#include <string.h>
#include <unistd.h>

#include "attest-key.h"
#include "attest-store.h"

#define GROUP "Attest installation key"
#define MAX_FILE_BYTES 4096

struct _AttestKey
{
  GObject  parent_instance;

  char    *path;
  guint8   mac_key[32];
  guint8   sign_public[crypto_sign_PUBLICKEYBYTES];
  guint8   sign_secret[crypto_sign_SECRETKEYBYTES];
  char    *id;
  char    *public_key;
};

G_DEFINE_FINAL_TYPE (AttestKey, attest_key, G_TYPE_OBJECT)

static void
attest_key_finalize (GObject *object)
{
  AttestKey *self = ATTEST_KEY (object);

  sodium_memzero (self->mac_key, sizeof self->mac_key);
  sodium_memzero (self->sign_secret, sizeof self->sign_secret);
  g_free (self->path);
  g_free (self->id);
  g_free (self->public_key);

  G_OBJECT_CLASS (attest_key_parent_class)->finalize (object);
}

static void
attest_key_class_init (AttestKeyClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = attest_key_finalize;
}

static void
attest_key_init (AttestKey *self)
{
}

static gboolean
ensure_sodium (GError **error)
{
  if (sodium_init () < 0)
    {
      g_set_error (error, ATTEST_STORE_ERROR, ATTEST_STORE_ERROR_FAILED,
                   _("Could not start the cryptography library (libsodium)"));
      return FALSE;
    }
  return TRUE;
}

char *
attest_key_default_path (void)
{
  const char *override = g_getenv ("ATTEST_KEY_FILE");

  if (override != NULL && *override != '\0')
    return g_strdup (override);
  return g_build_filename (g_get_user_config_dir (), "attest", "installation.key", NULL);
}

static char *
id_for_public_bytes (const guint8 *public_key)
{
  g_autofree char *sha = g_compute_checksum_for_data (G_CHECKSUM_SHA256, public_key,
                                                      crypto_sign_PUBLICKEYBYTES);

  return g_strndup (sha, 16);
}

static AttestKey *
key_from_secret (const char   *path,
                 const guint8 *secret)
{
  AttestKey *self = g_object_new (ATTEST_TYPE_KEY, NULL);
  guint8 seed[crypto_sign_SEEDBYTES];

  G_STATIC_ASSERT (crypto_kdf_KEYBYTES == 32);
  G_STATIC_ASSERT (crypto_sign_SEEDBYTES == 32);

  self->path = g_strdup (path);
  crypto_kdf_derive_from_key (self->mac_key, sizeof self->mac_key, 1, "attestau", secret);
  crypto_kdf_derive_from_key (seed, sizeof seed, 2, "attestsg", secret);
  crypto_sign_seed_keypair (self->sign_public, self->sign_secret, seed);
  sodium_memzero (seed, sizeof seed);

  self->id = id_for_public_bytes (self->sign_public);
  self->public_key = g_base64_encode (self->sign_public, sizeof self->sign_public);
  return self;
}

static void
set_key_error (GError     **error,
               const char  *display,
               const char  *why)
{
  /* Translators: the first %s is a file name, the second says what is wrong with it. */
  g_set_error (error, ATTEST_STORE_ERROR, ATTEST_STORE_ERROR_FAILED,
               _("The installation key “%s” cannot be used: %s. Attest has not changed it; "
                 "without it the audit log cannot be extended or checked."), display, why);
}

/* Reads the file through one descriptor that is checked (regular, private, small) before
 * anything is read from it. ENOENT is returned as FALSE with *missing set. */
static AttestKey *
load_existing (const char  *path,
               gboolean    *missing,
               GError     **error)
{
  g_autofree char *display = g_filename_display_name (path);
  g_autoptr (GKeyFile) keyfile = g_key_file_new ();
  g_autofree char *encoded = NULL;
  g_autofree guchar *secret = NULL;
  char buffer[MAX_FILE_BYTES + 1];
  gsize secret_len = 0;
  struct stat st;
  AttestKey *key;
  ssize_t got;
  gsize total = 0;
  int version;
  int fd;

  *missing = FALSE;
  fd = g_open (path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0);
  if (fd < 0)
    {
      int saved_errno = errno;

      if (saved_errno == ENOENT)
        {
          *missing = TRUE;
          return NULL;
        }
      set_key_error (error, display, g_strerror (saved_errno));
      return NULL;
    }

  if (fstat (fd, &st) != 0 || !S_ISREG (st.st_mode))
    {
      close (fd);
      set_key_error (error, display, _("it is not a regular file"));
      return NULL;
    }
  if ((st.st_mode & 0077) != 0)
    {
      g_autofree char *why = g_strdup_printf (_("other users may read it (mode %04o; "
                                                "“chmod 600” makes it private)"),
                                              (unsigned) (st.st_mode & 07777));
      close (fd);
      set_key_error (error, display, why);
      return NULL;
    }
  if (st.st_size > MAX_FILE_BYTES)
    {
      close (fd);
      set_key_error (error, display, _("it is too large to be a key file"));
      return NULL;
    }

  while (total < MAX_FILE_BYTES &&
         ((got = read (fd, buffer + total, MAX_FILE_BYTES - total)) > 0 ||
          (got < 0 && errno == EINTR)))
    if (got > 0)
      total += (gsize) got;
  close (fd);
  buffer[total] = '\0';

  if (!g_key_file_load_from_data (keyfile, buffer, total, G_KEY_FILE_NONE, NULL) ||
      (version = g_key_file_get_integer (keyfile, GROUP, "version", NULL)) != 1 ||
      (encoded = g_key_file_get_string (keyfile, GROUP, "secret", NULL)) == NULL)
    {
      sodium_memzero (buffer, sizeof buffer);
      set_key_error (error, display, _("it is not an Attest key file"));
      return NULL;
    }
  sodium_memzero (buffer, sizeof buffer);

  secret = g_base64_decode (encoded, &secret_len);
  sodium_memzero (encoded, strlen (encoded));
  if (secret_len != crypto_kdf_KEYBYTES)
    {
      if (secret != NULL)
        sodium_memzero (secret, secret_len);
      set_key_error (error, display, _("its secret is damaged"));
      return NULL;
    }

  key = key_from_secret (path, secret);
  sodium_memzero (secret, secret_len);
  return key;
}

/* A new secret, written to a private temporary file and linked into place, so that two
 * processes creating the key at once end up with the same one (link fails on the second). */
static gboolean
create_new (const char  *path,
            GError     **error)
{
  g_autofree char *display = g_filename_display_name (path);
  g_autofree char *folder = g_path_get_dirname (path);
  g_autofree char *tmp = NULL;
  g_autofree char *encoded = NULL;
  g_autofree char *text = NULL;
  g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *created = g_date_time_format_iso8601 (now);
  guint8 secret[crypto_kdf_KEYBYTES];
  gsize written = 0;
  gsize text_len;
  int saved_errno;
  int fd;

  if (g_mkdir_with_parents (folder, 0700) != 0)
    {
      saved_errno = errno;
      set_key_error (error, display, g_strerror (saved_errno));
      return FALSE;
    }

  crypto_kdf_keygen (secret);
  encoded = g_base64_encode (secret, sizeof secret);
  sodium_memzero (secret, sizeof secret);
  text = g_strdup_printf ("# Attest's installation key: it authenticates this user's audit "
                          "logs and signs their exports.\n"
                          "# Keep it private and back it up with the gallery; never share it.\n"
                          "[" GROUP "]\nversion=1\nsecret=%s\ncreated=%s\n", encoded, created);
  sodium_memzero (encoded, strlen (encoded));

  tmp = g_build_filename (folder, ".installation.key-XXXXXX", NULL);
  fd = g_mkstemp_full (tmp, O_RDWR | O_CLOEXEC, 0600);
  if (fd < 0)
    {
      saved_errno = errno;
      sodium_memzero (text, strlen (text));
      set_key_error (error, display, g_strerror (saved_errno));
      return FALSE;
    }
  text_len = strlen (text);
  while (written < text_len)
    {
      ssize_t n = write (fd, text + written, text_len - written);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        break;
      written += (gsize) n;
    }
  saved_errno = errno;
  sodium_memzero (text, text_len);
  if (written != text_len || fsync (fd) != 0)
    {
      close (fd);
      g_unlink (tmp);
      set_key_error (error, display, g_strerror (saved_errno != 0 ? saved_errno : EIO));
      return FALSE;
    }
  close (fd);

  if (link (tmp, path) != 0 && errno != EEXIST)
    {
      saved_errno = errno;
      g_unlink (tmp);
      set_key_error (error, display, g_strerror (saved_errno));
      return FALSE;
    }
  g_unlink (tmp);
  return TRUE;
}

AttestKey *
attest_key_load (const char  *path,
                 gboolean     create,
                 GError     **error)
{
  gboolean missing = FALSE;
  AttestKey *key;

  g_return_val_if_fail (path != NULL && *path != '\0', NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!ensure_sodium (error))
    return NULL;

  key = load_existing (path, &missing, error);
  if (key != NULL || !missing)
    return key;

  if (!create)
    {
      g_autofree char *display = g_filename_display_name (path);

      set_key_error (error, display, g_strerror (ENOENT));
      return NULL;
    }

  if (!create_new (path, error))
    return NULL;
  return load_existing (path, &missing, error);
}

const char *
attest_key_get_id (AttestKey *self)
{
  g_return_val_if_fail (ATTEST_IS_KEY (self), NULL);
  return self->id;
}

const char *
attest_key_get_public_key (AttestKey *self)
{
  g_return_val_if_fail (ATTEST_IS_KEY (self), NULL);
  return self->public_key;
}

const char *
attest_key_get_path (AttestKey *self)
{
  g_return_val_if_fail (ATTEST_IS_KEY (self), NULL);
  return self->path;
}

char *
attest_key_mac (AttestKey  *self,
                const char *domain,
                const char *text)
{
  g_autoptr (GHmac) hmac = NULL;

  g_return_val_if_fail (ATTEST_IS_KEY (self), NULL);
  g_return_val_if_fail (domain != NULL && text != NULL, NULL);

  hmac = g_hmac_new (G_CHECKSUM_SHA256, self->mac_key, sizeof self->mac_key);
  g_hmac_update (hmac, (const guchar *) domain, -1);
  g_hmac_update (hmac, (const guchar *) ":", 1);
  g_hmac_update (hmac, (const guchar *) text, -1);
  return g_strdup (g_hmac_get_string (hmac));
}

char *
attest_key_sign (AttestKey  *self,
                 const void *data,
                 gsize       length)
{
  guint8 signature[crypto_sign_BYTES];

  g_return_val_if_fail (ATTEST_IS_KEY (self), NULL);
  g_return_val_if_fail (data != NULL || length == 0, NULL);

  crypto_sign_detached (signature, NULL, data, length, self->sign_secret);
  return g_base64_encode (signature, sizeof signature);
}

static guchar *
decode_exact (const char *base64,
              gsize       expected)
{
  g_autofree guchar *bytes = NULL;
  gsize len = 0;

  if (base64 == NULL || strlen (base64) > 4 * expected)
    return NULL;
  /* g_base64_decode does not reject stray characters; re-encoding must give the same text. */
  bytes = g_base64_decode (base64, &len);
  if (len != expected)
    return NULL;
  {
    g_autofree char *again = g_base64_encode (bytes, len);

    if (g_strcmp0 (again, base64) != 0)
      return NULL;
  }
  return g_steal_pointer (&bytes);
}

gboolean
attest_key_verify_signature (const char *public_key,
                             const void *data,
                             gsize       length,
                             const char *signature)
{
  g_autofree guchar *pk = NULL;
  g_autofree guchar *sig = NULL;

  if (sodium_init () < 0 || (data == NULL && length > 0))
    return FALSE;

  pk = decode_exact (public_key, crypto_sign_PUBLICKEYBYTES);
  sig = decode_exact (signature, crypto_sign_BYTES);
  if (pk == NULL || sig == NULL)
    return FALSE;

  return crypto_sign_verify_detached (sig, data, length, pk) == 0;
}

char *
attest_key_id_for_public_key (const char *public_key)
{
  g_autofree guchar *pk = decode_exact (public_key, crypto_sign_PUBLICKEYBYTES);

  return pk != NULL ? id_for_public_bytes (pk) : NULL;
}
