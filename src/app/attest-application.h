/* attest-application.h: the GNOME app: options, models and gallery loading, app actions. */
#pragma once

#include <adwaita.h>

#include "app/attest-settings.h"
#include "analysis/attest-matcher.h"
#include "store/attest-store.h"
#include "vision/attest-vision.h"

G_BEGIN_DECLS

#define ATTEST_TYPE_APPLICATION (attest_application_get_type ())
G_DECLARE_FINAL_TYPE (AttestApplication, attest_application, ATTEST, APPLICATION, AdwApplication)

AttestApplication *attest_application_new          (void);

AttestSettings    *attest_application_get_settings (AttestApplication *self);
/* NULL until the models have loaded, or when they cannot be. */
AttestVision      *attest_application_get_vision   (AttestApplication *self);
/* NULL until the gallery has opened, or when it cannot be. */
AttestStore       *attest_application_get_store    (AttestApplication *self);

/* The gallery's search index, loaded off the main thread once both the models and the
 * gallery are in; NULL until then. A snapshot: attest_application_gallery_changed() loads a
 * new one and emits "gallery-changed" when it is in (take it again then). */
AttestMatcher     *attest_application_get_matcher  (AttestApplication *self);
/* Identity id (gint64 *) -> name (char *), loaded with the matcher; NULL until then.
 * Read-only: ref it to keep it across a reload. */
GHashTable        *attest_application_get_identity_names (AttestApplication *self);
/* Call after every gallery change (enrol, import, merge, delete, rename): reloads the index
 * and the names off the main thread, recomputes the impostor stats, then emits
 * "gallery-changed". Cheap to call repeatedly: reloads still running are superseded. */
void               attest_application_gallery_changed (AttestApplication *self);
/* The impostor stats of the current index at the current match threshold; NULL until
 * computed. *enough (may be NULL) is FALSE when the gallery is too small to estimate (fewer
 * than 2 identities or 10 faces). Recomputed after reloads and threshold changes; then
 * "impostor-stats-changed" is emitted. */
const AttestImpostorStats *attest_application_get_impostor_stats (AttestApplication *self,
                                                                  gboolean          *enough);

G_END_DECLS
