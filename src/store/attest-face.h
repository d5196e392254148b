/* attest-face.h: one enrolled gallery face with its provenance, as read from the store.
 *
 * An immutable snapshot: every property is construct-only. After a write callers read again
 * (see attest-gallery.h). */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define ATTEST_TYPE_FACE (attest_face_get_type ())
G_DECLARE_FINAL_TYPE (AttestFace, attest_face, ATTEST, FACE, GObject)

gint64       attest_face_get_id              (AttestFace *self);
gint64       attest_face_get_identity_id     (AttestFace *self);
const char  *attest_face_get_identity_name   (AttestFace *self);
/* PNG of the face crop; NULL when none was stored. */
GBytes      *attest_face_get_thumbnail       (AttestFace *self);
/* The embedding as stored: float32, host byte order, L2-normalised. */
GBytes      *attest_face_get_embedding_bytes (AttestFace *self);
/* The same as floats (aligned; owned by the face); *n_floats gets their number. */
const float *attest_face_get_embedding       (AttestFace *self,
                                              guint      *n_floats);
const char  *attest_face_get_model_id        (AttestFace *self);
/* Where the face was enrolled from: the file or stream URI, the SHA-256 of its contents
 * and the time in it (milliseconds, -1: a still image). Any may be NULL. */
const char  *attest_face_get_source_uri      (AttestFace *self);
const char  *attest_face_get_source_sha256   (AttestFace *self);
gint64       attest_face_get_source_ms       (AttestFace *self);
/* The face box in pixels of the source frame; FALSE (outputs untouched) when none. */
gboolean     attest_face_get_box             (AttestFace *self,
                                              double     *x,
                                              double     *y,
                                              double     *width,
                                              double     *height);
/* SHA-256 of the image file an import took the face from (NULL otherwise). */
const char  *attest_face_get_file_sha256     (AttestFace *self);
const char  *attest_face_get_enrolled_by     (AttestFace *self);
/* UTC microseconds. */
gint64       attest_face_get_enrolled_at     (AttestFace *self);
/* Why the reviewer says this face is this person. */
const char  *attest_face_get_basis           (AttestFace *self);

G_END_DECLS
