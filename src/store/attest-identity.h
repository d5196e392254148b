/* attest-identity.h: one person in the gallery, as read from the store.
 *
 * An immutable snapshot: every property is construct-only. After a write (enrol, rename,
 * merge, delete) callers list again to see the change (see attest-gallery.h). */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define ATTEST_TYPE_IDENTITY (attest_identity_get_type ())
G_DECLARE_FINAL_TYPE (AttestIdentity, attest_identity, ATTEST, IDENTITY, GObject)

gint64      attest_identity_get_id          (AttestIdentity *self);
const char *attest_identity_get_name        (AttestIdentity *self);
/* NULL when there are none. */
const char *attest_identity_get_notes       (AttestIdentity *self);
guint       attest_identity_get_n_faces     (AttestIdentity *self);
/* Confirmed matches that name this identity (an identity with any cannot be deleted). */
guint       attest_identity_get_n_matches   (AttestIdentity *self);
/* PNG of the identity's first enrolled face that has a thumbnail; NULL when none has. */
GBytes     *attest_identity_get_cover       (AttestIdentity *self);
/* UTC microseconds. */
gint64      attest_identity_get_created_at  (AttestIdentity *self);
const char *attest_identity_get_created_by  (AttestIdentity *self);

G_END_DECLS
