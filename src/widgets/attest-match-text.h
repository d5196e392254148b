/* attest-match-text.h: the words live matching uses, shared by the overlay, the candidate
 * panel and the preferences so a score never appears without its threshold. */
#pragma once

#include <glib.h>

#include "analysis/attest-detections.h"
#include "analysis/attest-matcher.h"

G_BEGIN_DECLS

/* "0.62 (threshold 0.45)". */
char *attest_match_text_score  (double                     score,
                                double                     threshold);
/* The overlay label of a face in `state`: "Suggestion: Ada · 0.62 (threshold 0.45)",
 * "No match", "Too poor to compare: face too small (31 px; needs 40)", ... info may be NULL;
 * box is only used for "not compared" (the detector confidence). */
char *attest_match_text_label  (const AttestFaceInfo      *info,
                                const AttestBox           *box,
                                AttestFaceState            state,
                                double                     threshold);
/* What the threshold means on this gallery: "At 0.45, 0 of 25 gallery faces matched another
 * person (estimated false-match rate under 13.4%, 95% bound)", or why it cannot be said.
 * stats NULL: not computed yet. */
char *attest_match_text_fmr    (const AttestImpostorStats *stats,
                                gboolean                   enough);

G_END_DECLS
