/* attest-gallery-page-private.h: accessors for tests; not for other code. */
#pragma once

#include "widgets/attest-gallery-page.h"

G_BEGIN_DECLS

/* TRUE while a list or an edit is under way. */
gboolean          _attest_gallery_page_get_busy          (AttestGalleryPage *self);
/* The people listed (AttestIdentity) and the selected person's faces (AttestFace). */
GListModel       *_attest_gallery_page_get_identities    (AttestGalleryPage *self);
GListModel       *_attest_gallery_page_get_faces         (AttestGalleryPage *self);
gint64            _attest_gallery_page_get_selected_id   (AttestGalleryPage *self);
gboolean          _attest_gallery_page_select            (AttestGalleryPage *self,
                                                          gint64             identity_id);
GtkEditable      *_attest_gallery_page_get_search_entry  (AttestGalleryPage *self);
/* The confirmation or question on screen (NULL: none), and its entry (rename) or drop-down
 * (merge). */
AdwMessageDialog *_attest_gallery_page_get_dialog        (AttestGalleryPage *self);
GtkWidget        *_attest_gallery_page_get_dialog_input  (AttestGalleryPage *self);
/* The last message shown to the reviewer (a refusal), NULL before the first. */
const char       *_attest_gallery_page_get_last_message  (AttestGalleryPage *self);
/* What the Merge dialog does on "merge". */
void              _attest_gallery_page_merge             (AttestGalleryPage *self,
                                                          gint64             from_id,
                                                          gint64             into_id);
/* The name shown in the detail pane of the selected person. */
const char       *_attest_gallery_page_get_detail_name   (AttestGalleryPage *self);
/* Which page is shown: "people", "empty" or "unavailable". */
const char       *_attest_gallery_page_get_visible_page  (AttestGalleryPage *self);

G_END_DECLS
