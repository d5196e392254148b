/* attest-gallery-page.h: the people in the gallery and their enrolled faces, with
 * provenance, and the reviewer's edits (rename, merge, delete), each through the store's
 * audited API. */
#pragma once

#include <adwaita.h>

#include "store/attest-store.h"

G_BEGIN_DECLS

#define ATTEST_TYPE_GALLERY_PAGE (attest_gallery_page_get_type ())
G_DECLARE_FINAL_TYPE (AttestGalleryPage, attest_gallery_page, ATTEST, GALLERY_PAGE, AdwBin)

GtkWidget   *attest_gallery_page_new          (void);

/* NULL: the page says the gallery is not available. */
void         attest_gallery_page_set_store    (AttestGalleryPage *self,
                                               AttestStore       *store);
AttestStore *attest_gallery_page_get_store    (AttestGalleryPage *self);
/* "reviewer-name": the actor of every edit (blank: the page says to set it first). */
void         attest_gallery_page_set_reviewer_name (AttestGalleryPage *self,
                                                    const char        *reviewer_name);
const char  *attest_gallery_page_get_reviewer_name (AttestGalleryPage *self);

/* Lists the people again (after an enrolment or import made elsewhere). */
void         attest_gallery_page_reload       (AttestGalleryPage *self);

/* Signal "gallery-changed": the page changed the gallery (the search index is stale).
 * Actions: gallery.rename, gallery.merge, gallery.delete (the selected person),
 * gallery.delete-face (int64 face id). */

G_END_DECLS
