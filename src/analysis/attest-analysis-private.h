/* attest-analysis-private.h: the appearance grids of attest-analysis.c and their calibrated
 * limits, for the calibration test (tests/test-analysis.c) that measures them. */
#pragma once

#include "analysis/attest-analysis.h"

G_BEGIN_DECLS

/* A face: LOOK_GRID x LOOK_GRID cells of mean B, G, R over its box. */
#define ATTEST_ANALYSIS_LOOK_GRID 6
#define ATTEST_ANALYSIS_LOOK_SIZE (ATTEST_ANALYSIS_LOOK_GRID * ATTEST_ANALYSIS_LOOK_GRID * 3)
/* A face whose grid differs from its track's last one by more than this (mean absolute
 * difference, 0..255) is embedded at once. Measured (tests/test-analysis.c): someone else in
 * the same place changes it by 21.7 to 40.3; one face from one analysed frame to the next by
 * 6.2 (median), and 16% of them by more than 12, which costs those an embedding, no more:
 * the embedding decides, this only says when to look. */
#define ATTEST_ANALYSIS_LOOK_CHANGE 12.0f
/* A frame: 16 x 9 cells of mean B, G, R. */
#define ATTEST_ANALYSIS_FRAME_LOOK_SIZE (16 * 9 * 3)
/* A frame cell changed by more than this has changed... */
#define ATTEST_ANALYSIS_CUT_CELL_CHANGE 30.0f
/* ... and a frame where at least this share of the cells changed is a scene cut. Measured:
 * the sample's moving faces change at most 14% of the cells between analysed frames (every
 * 5th frame); a hard cut between two clips 85%. */
#define ATTEST_ANALYSIS_CUT_SHARE 0.6

void   _attest_analysis_face_look        (const AttestImageView *view,
                                          const AttestBox       *box,
                                          float                 *out);
void   _attest_analysis_frame_look       (const AttestImageView *view,
                                          float                 *out);
float  _attest_analysis_look_difference  (const float           *a,
                                          const float           *b,
                                          guint                  n);
/* The share of frame cells that changed between two frame grids (0..1). */
double _attest_analysis_frame_change     (const float           *a,
                                          const float           *b);

G_END_DECLS
