/* attest-review-panel.h: one review item for a human to decide: the face from the video
 * beside the gallery faces of the chosen candidate, the candidates at or above the item's
 * threshold (the best preselected), the score with the threshold and what it means on this
 * gallery (hidden until decided under blind review), the face's quality, its time in the
 * video with "Play This Moment", a rationale (required to confirm) and Confirm / Reject /
 * Skip / Unsure / Undo.
 *
 * The panel decides nothing itself: its actions (review.confirm, review.reject, review.skip,
 * review.unsure, review.undo, review.play) emit "decide" / "play-moment" and the owner
 * records the decision (attest-review-async.h). Shortcuts, working in the rationale entry
 * too: Ctrl+Return or Alt+C confirm, Alt+R reject, Alt+S skip, Alt+N unsure, Ctrl+Z undo,
 * Alt+P play (attest_review_panel_add_shortcuts puts them on a containing widget). */
#pragma once

#include <gtk/gtk.h>

#include "analysis/attest-matcher.h"
#include "store/attest-review-async.h"

G_BEGIN_DECLS

typedef enum
{
  ATTEST_REVIEW_SOURCE_UNKNOWN,   /* not checked yet */
  ATTEST_REVIEW_SOURCE_OK,        /* the file is there with the contents that were analysed */
  ATTEST_REVIEW_SOURCE_MISSING,   /* no such file (moved or deleted), or no file at all */
  ATTEST_REVIEW_SOURCE_CHANGED,   /* a file is there, but its contents differ */
} AttestReviewSourceState;

#define ATTEST_TYPE_REVIEW_PANEL (attest_review_panel_get_type ())
G_DECLARE_FINAL_TYPE (AttestReviewPanel, attest_review_panel, ATTEST, REVIEW_PANEL, GtkBox)

GtkWidget        *attest_review_panel_new                (void);

/* Where the candidates' gallery faces come from (read off the main thread). */
void              attest_review_panel_set_store          (AttestReviewPanel         *self,
                                                          AttestStore               *store);
/* "reviewer-name": recorded with every decision; while blank the panel asks for it inline
 * and sets it (notify) when the reviewer enters it. */
void              attest_review_panel_set_reviewer_name  (AttestReviewPanel         *self,
                                                          const char                *reviewer_name);
const char       *attest_review_panel_get_reviewer_name  (AttestReviewPanel         *self);
/* "blind-review": each score stays hidden until the reviewer has decided. */
void              attest_review_panel_set_blind_review   (AttestReviewPanel         *self,
                                                          gboolean                   blind_review);
gboolean          attest_review_panel_get_blind_review   (AttestReviewPanel         *self);
/* What the threshold means on this gallery; stats NULL: not known yet. */
void              attest_review_panel_set_impostor_stats (AttestReviewPanel         *self,
                                                          const AttestImpostorStats *stats,
                                                          gboolean                   enough);
/* Shows `item` (transfer full; NULL: nothing). rejected (transfer full, may be NULL):
 * item->n_candidates flags, TRUE for a candidate with a standing rejection. The rationale is
 * cleared when the item changes. */
void              attest_review_panel_take_item          (AttestReviewPanel         *self,
                                                          AttestReviewItem          *item,
                                                          gboolean                  *rejected);
AttestReviewItem *attest_review_panel_get_item           (AttestReviewPanel         *self);
void              attest_review_panel_set_source_state   (AttestReviewPanel         *self,
                                                          AttestReviewSourceState    state);
/* More frames of the track (n textures, with their times in ms); n 0: the strip is hidden. */
void              attest_review_panel_set_frames         (AttestReviewPanel         *self,
                                                          GdkTexture               **frames,
                                                          const gint64              *frame_ms,
                                                          guint                      n);
/* TRUE while a decision is being saved: the decision actions wait. */
void              attest_review_panel_set_busy           (AttestReviewPanel         *self,
                                                          gboolean                   busy);
/* The candidate decisions apply to (-1: none left). */
gint64            attest_review_panel_get_selected_identity (AttestReviewPanel      *self);
void              attest_review_panel_select_identity    (AttestReviewPanel         *self,
                                                          gint64                     identity_id);
/* Puts the review shortcuts on `widget` (e.g. the window), in the capture phase so they work
 * while the rationale entry has focus; they act only while `scope` (e.g. the page holding
 * the panel) is mapped. */
void              attest_review_panel_add_shortcuts      (AttestReviewPanel         *self,
                                                          GtkWidget                 *widget,
                                                          GtkWidget                 *scope);
void              attest_review_panel_focus_rationale    (AttestReviewPanel         *self);

/* "0:12.4, on screen 0:10–0:15". */
char             *attest_review_format_moment            (const AttestReviewItem    *item);

/* For tests: the texts shown. */
const char       *attest_review_panel_get_score_text     (AttestReviewPanel         *self);
const char       *attest_review_panel_get_fmr_text       (AttestReviewPanel         *self);
const char       *attest_review_panel_get_hint_text      (AttestReviewPanel         *self);
const char       *attest_review_panel_get_time_text      (AttestReviewPanel         *self);
const char       *attest_review_panel_get_title_text     (AttestReviewPanel         *self);
/* NULL while the source note is hidden. */
const char       *attest_review_panel_get_source_note    (AttestReviewPanel         *self);
gboolean          attest_review_panel_get_score_visible  (AttestReviewPanel         *self);
gboolean          attest_review_panel_get_asks_name      (AttestReviewPanel         *self);
guint             attest_review_panel_get_n_gallery_faces (AttestReviewPanel        *self);
guint             attest_review_panel_get_n_frames       (AttestReviewPanel         *self);
GtkEditable      *attest_review_panel_get_rationale      (AttestReviewPanel         *self);
GtkEditable      *attest_review_panel_get_name_entry     (AttestReviewPanel         *self);

/* The rationale and decision buttons at the panel's foot, which nothing may cover. */
GtkWidget        *attest_review_panel_get_decision_area  (AttestReviewPanel         *self);

G_END_DECLS
