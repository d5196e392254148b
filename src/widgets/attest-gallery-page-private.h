/* attest-gallery-page-private.h: shared by attest-gallery-page.c and
 * attest-gallery-page-merge.c, and accessors for tests; not for other code. */
#pragma once

#include "widgets/attest-gallery-page.h"

G_BEGIN_DECLS

struct _AttestGalleryPage
{
  AdwBin              parent_instance;

  GtkStack           *stack;          /* the template's root */

  /* template */
  GtkSearchEntry     *search_entry;
  GtkStack           *list_stack;
  GtkListView        *identity_list;
  GtkStack           *detail_stack;
  AdwAvatar          *detail_avatar;
  GtkLabel           *name_label;
  GtkLabel           *counts_label;
  GtkLabel           *notes_label;
  GtkListBox         *faces_list;

  AttestStore        *store;
  char               *reviewer_name;

  GListStore         *identities;   /* AttestIdentity */
  GtkSingleSelection *selection;
  GListStore         *faces;        /* AttestFace of the selected identity */
  GCancellable       *list_cancellable;
  GCancellable       *faces_cancellable;
  gint64              select_id;    /* to select after the next listing, or -1 */
  guint               busy;

  AdwMessageDialog   *dialog;       /* weak */
  GtkWidget          *dialog_input; /* weak */
  gint64              dialog_subject;
  /* attest-gallery-page-merge.c */
  struct _MergeChoice *merge_choice;  /* the people the Merge dialog offers, most alike first */
  GtkWidget          *merge_faces;    /* weak: the dialog's row of the chosen person's faces */
  gint64              undo_from;      /* the last merge made here, for its toast's Undo */
  gint64              undo_into;
  char               *last_message;
};

/* attest-gallery-page.c */
void              _attest_gallery_page_show_message      (AttestGalleryPage *self,
                                                          const char        *message);
/* The reviewer's name for the audit log, or NULL after saying how to set it. */
const char       *_attest_gallery_page_get_actor         (AttestGalleryPage *self);
AttestIdentity   *_attest_gallery_page_get_selected      (AttestGalleryPage *self);
/* An edit came back: says why it was refused, or lists the gallery again. */
void              _attest_gallery_page_edit_finished     (AttestGalleryPage *self,
                                                          gboolean           ok,
                                                          GError            *error);
/* A question with a Cancel response, tracked as the page's dialog. */
AdwMessageDialog *_attest_gallery_page_new_dialog        (AttestGalleryPage *self,
                                                          const char        *heading,
                                                          const char        *body);

/* attest-gallery-page-merge.c: gallery.merge. */
void              _attest_gallery_page_merge_action      (GtkWidget         *widget,
                                                          const char        *action_name,
                                                          GVariant          *param);
void              _attest_gallery_page_dispose_merge     (AttestGalleryPage *self);

/* For tests: */

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
/* What the Merge dialog does on "merge", and the Undo of its toast. */
void              _attest_gallery_page_merge             (AttestGalleryPage *self,
                                                          gint64             from_id,
                                                          gint64             into_id);
void              _attest_gallery_page_undo_merge        (AttestGalleryPage *self);
/* The Merge dialog's faces of the person chosen (GtkPicture children), NULL: no dialog. */
GtkWidget        *_attest_gallery_page_get_merge_faces   (AttestGalleryPage *self);
/* The name shown in the detail pane of the selected person. */
const char       *_attest_gallery_page_get_detail_name   (AttestGalleryPage *self);
/* Which page is shown: "people", "empty" or "unavailable". */
const char       *_attest_gallery_page_get_visible_page  (AttestGalleryPage *self);

G_END_DECLS
