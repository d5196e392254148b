/* attest-candidate-row.h: one gallery identity offered for a face in the candidate panel:
 * rank, gallery thumbnail, name, score with its threshold, and whether it is a suggestion
 * (>= threshold) or below threshold (not a match). */
#pragma once

#include <gtk/gtk.h>

#include "analysis/attest-detections.h"

G_BEGIN_DECLS

#define ATTEST_TYPE_CANDIDATE_ROW (attest_candidate_row_get_type ())
G_DECLARE_FINAL_TYPE (AttestCandidateRow, attest_candidate_row, ATTEST, CANDIDATE_ROW, GtkListBoxRow)

GtkWidget  *attest_candidate_row_new           (const AttestFaceCandidate *candidate,
                                                double                     threshold);
/* A candidate a reviewer's rejection hides for this face (attest-rejections.h): shown apart,
 * "Hidden: rejected by NAME at 0:04", never as a suggestion. */
GtkWidget  *attest_candidate_row_new_hidden    (const AttestHiddenCandidate *hidden,
                                                double                       threshold);
/* NULL: the placeholder icon. */
void        attest_candidate_row_set_thumbnail (AttestCandidateRow        *self,
                                                GdkPaintable              *thumbnail);

guint       attest_candidate_row_get_rank      (AttestCandidateRow        *self);
const char *attest_candidate_row_get_name      (AttestCandidateRow        *self);
double      attest_candidate_row_get_score     (AttestCandidateRow        *self);
gint64      attest_candidate_row_get_face_id   (AttestCandidateRow        *self);
/* TRUE: score >= threshold (a suggestion); FALSE: "below threshold — not a match". */
gboolean    attest_candidate_row_get_suggested (AttestCandidateRow        *self);
/* The texts shown (for tests and accessibility): "0.62 (threshold 0.45)" and the status. */
const char *attest_candidate_row_get_score_text  (AttestCandidateRow      *self);
const char *attest_candidate_row_get_status_text (AttestCandidateRow      *self);

G_END_DECLS
