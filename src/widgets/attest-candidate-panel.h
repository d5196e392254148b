/* attest-candidate-panel.h: the side panel beside the video for the selected face: its crop
 * from the frame, its quality and state, the gallery identities most like it (best first,
 * each with its score, the threshold and whether it reaches it), what the threshold means on
 * this gallery, and "Enrol This Face…" (action face.enrol). Suggestions only. */
#pragma once

#include <gtk/gtk.h>

#include "analysis/attest-detections.h"
#include "analysis/attest-matcher.h"
#include "store/attest-store.h"

G_BEGIN_DECLS

#define ATTEST_TYPE_CANDIDATE_PANEL (attest_candidate_panel_get_type ())
G_DECLARE_FINAL_TYPE (AttestCandidatePanel, attest_candidate_panel, ATTEST, CANDIDATE_PANEL, GtkBox)

GtkWidget *attest_candidate_panel_new                (void);

/* Where gallery thumbnails come from (read off the main thread); NULL: placeholders. */
void       attest_candidate_panel_set_store          (AttestCandidatePanel      *self,
                                                      AttestStore               *store);
/* The selected face (info NULL with has_face FALSE: nothing selected). probe: its crop from
 * the frame (may be NULL). The rows are rebuilt only when the candidates change. */
void       attest_candidate_panel_set_face           (AttestCandidatePanel      *self,
                                                      gboolean                   has_face,
                                                      const AttestFaceInfo      *info,
                                                      const AttestBox           *box,
                                                      GdkPaintable              *probe);
/* Which of the faces on screen it is (1-based; 0: not known), for "Face 1 of 2". Set it
 * before set_face. */
void       attest_candidate_panel_set_position       (AttestCandidatePanel      *self,
                                                      guint                      position,
                                                      guint                      n_on_screen);
void       attest_candidate_panel_set_threshold      (AttestCandidatePanel      *self,
                                                      double                     threshold);
/* stats NULL: not known yet. */
void       attest_candidate_panel_set_impostor_stats (AttestCandidatePanel      *self,
                                                      const AttestImpostorStats *stats,
                                                      gboolean                   enough);

/* For tests: the candidate rows (AttestCandidateRow) in order, and the texts shown. */
guint      attest_candidate_panel_get_n_rows         (AttestCandidatePanel      *self);
GtkWidget *attest_candidate_panel_get_row            (AttestCandidatePanel      *self,
                                                      guint                      i);
const char *attest_candidate_panel_get_fmr_text      (AttestCandidatePanel      *self);
const char *attest_candidate_panel_get_title_text    (AttestCandidatePanel      *self);
const char *attest_candidate_panel_get_state_text    (AttestCandidatePanel      *self);
gboolean   attest_candidate_panel_get_has_face       (AttestCandidatePanel      *self);

G_END_DECLS
