/* attest-window.h: the main window: the header bar, the Video, Gallery, Review and Audit
 * pages, toasts. */
#pragma once

#include <adwaita.h>

#include "app/attest-settings.h"
#include "analysis/attest-matcher.h"
#include "store/attest-store.h"
#include "vision/attest-vision.h"

G_BEGIN_DECLS

#define ATTEST_TYPE_WINDOW (attest_window_get_type ())
G_DECLARE_FINAL_TYPE (AttestWindow, attest_window, ATTEST, WINDOW, AdwApplicationWindow)

/* application and settings may be NULL (then the window makes its own settings). */
AttestWindow *attest_window_new               (GtkApplication *application,
                                               AttestSettings *settings);

/* The face analyser for videos opened from now on (NULL: play without boxes). Not owned:
 * it must outlive the window. */
void          attest_window_set_vision        (AttestWindow   *self,
                                               AttestVision   *vision);

/* Opens a video file. Failures show a toast naming the problem; the video that was open
 * before (if any) stays. */
void          attest_window_open_file         (AttestWindow   *self,
                                               GFile          *file);
/* Opens the first camera. No camera → a toast. */
void          attest_window_open_camera       (AttestWindow   *self);

/* Shows a message in a toast (plain text, not markup). */
void          attest_window_show_toast        (AttestWindow   *self,
                                               const char     *message);
/* Shows the "face detection is off" bar with the reason (NULL hides it). */
void          attest_window_set_models_error  (AttestWindow   *self,
                                               const char     *message);

/* What the pages show: the gallery (for candidate thumbnails; NULL:
 * none), the search index with its id -> name map (both NULL: faces are not compared), and
 * what the threshold means on this gallery (NULL: not known yet). All are ref'd or copied. */
void          attest_window_set_store         (AttestWindow              *self,
                                               AttestStore               *store);
void          attest_window_set_matcher       (AttestWindow              *self,
                                               AttestMatcher             *matcher,
                                               GHashTable                *identity_names);
void          attest_window_set_impostor_stats (AttestWindow             *self,
                                                const AttestImpostorStats *stats,
                                                gboolean                   enough);

G_END_DECLS
