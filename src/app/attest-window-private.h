/* attest-window-private.h: shared by attest-window.c and attest-window-actions.c, and
 * accessors for tests; not for other code. */
#pragma once

#include "app/attest-export-dialog.h"
#include "app/attest-window.h"
#include "widgets/attest-audit-page.h"
#include "widgets/attest-gallery-page.h"
#include "widgets/attest-review-page.h"
#include "widgets/attest-video-page.h"

G_BEGIN_DECLS

struct _AttestWindow
{
  AdwApplicationWindow  parent_instance;

  /* template */
  AdwToastOverlay      *toast_overlay;
  AdwViewSwitcherTitle *switcher_title;
  GtkRevealer          *banner_revealer;
  GtkLabel             *banner_label;
  AdwViewStack         *view_stack;
  AttestVideoPage      *video_page;
  AttestGalleryPage    *gallery_page;
  AttestReviewPage     *review_page;
  AttestAuditPage      *audit_page;

  AttestSettings       *settings;
  AttestVision         *vision;          /* not owned */
  AttestStore          *store;

  char                 *last_toast_title;
  GtkCssProvider       *toast_css;       /* keeps toasts above the page's bottom bar */

  /* attest-window-actions.c */
  GtkFileChooserNative *chooser;         /* win.open, win.scan, win.import, win.import-photos */
  AttestExportDialog   *export_dialog;   /* weak: the open export dialog, or NULL */
};

/* attest-window-actions.c: the window-wide actions (win.*), the dialogs they open, and
 * enrolling the face the Video page asks for. */
void                _attest_window_class_init_actions (GtkWidgetClass *widget_class);
void                _attest_window_init_actions       (AttestWindow   *self);
void                _attest_window_dispose_actions    (AttestWindow   *self);
/* attest-window.c: shows `toast` (taken), whose plain text is `title`. */
void                _attest_window_add_toast          (AttestWindow   *self,
                                                       AdwToast       *toast,
                                                       const char     *title);

/* For tests. Plain text of the most recent toast, NULL before the first. */
const char         *_attest_window_get_last_toast_title (AttestWindow *self);
AttestVideoPage    *_attest_window_get_video_page       (AttestWindow *self);
AttestReviewPage   *_attest_window_get_review_page      (AttestWindow *self);
AttestAuditPage    *_attest_window_get_audit_page       (AttestWindow *self);
/* The open export dialog (win.export), or NULL. */
AttestExportDialog *_attest_window_get_export_dialog    (AttestWindow *self);

G_END_DECLS
