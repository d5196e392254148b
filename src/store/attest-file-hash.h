/* attest-file-hash.h: the SHA-256 of a source file, remembered per file.
 *
 * Hashing a long video takes seconds; enrolling several faces from it, or queueing every
 * face that leaves the screen, should not repeat that. An entry is trusted while the file's
 * size and modification time are unchanged. Any thread. */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* uri: a file URI. Newly allocated lowercase hex, or NULL with error. */
char *attest_file_sha256_cached (const char    *uri,
                                 GCancellable  *cancellable,
                                 GError       **error);

G_END_DECLS
