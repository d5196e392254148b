/* attest-rejections.h: negative evidence, and the one rejection policy of the analysis.
 *
 * A reviewer who rejects a suggestion says "this face is not that person". The policy,
 * decided here once for live matching, the scanner and what comes after them:
 *
 *   A rejection of identity I hides I from a face's suggestions when the face is
 *   (a) the same appearance: the same source (by SHA-256 when both sides know it, else by
 *       URI), a time span overlapping the rejected item's (1 s slack), and a face at least
 *       ATTEST_REJECTION_SAME_PERSON like the rejected probe (so a different person on screen
 *       at the same time is not hidden); or
 *   (b) the same face seen again: at least ATTEST_REJECTION_SAME_FACE like the rejected probe,
 *       anywhere (a copy of the same footage, re-encoded or remuxed).
 *   Everywhere else I is suggested as usual: the same man at another moment is a new
 *   question, and a mistaken rejection must not erase a true match from the rest of the
 *   footage. (Until now a rejection held for every face at cosine >= 0.6, which removed the
 *   same man's later appearance.)
 *
 * A hidden candidate is never dropped silently: the caller gets it back with the rejection
 * that hides it (who rejected it, when, and where), so the UI can say "hidden: rejected by
 * NAME at 0:04" and let the reviewer look.
 *
 * The set is built once (the review layer loads it from the store) and then only read: share
 * it between threads by reference. */
#pragma once

#include <glib-object.h>

#include "vision/attest-vision.h"

G_BEGIN_DECLS

/* (a): the same appearance needs a face this like the rejected probe. Different people score
 * at most 0.428 on real photos (attest-tracker.h), the same person 0.547 and up. */
#define ATTEST_REJECTION_SAME_PERSON 0.6
/* (b): the same face seen again. Measured (tests/test-analysis.c, /analysis/calibration):
 * the same frames encoded again at another quality score 0.999 and up against themselves;
 * other appearances of one person (other photos, sizes, moments; the sample and a
 * slideshow, 4,609 pairs) at most 0.931. */
#define ATTEST_REJECTION_SAME_FACE 0.97
/* Time spans this close count as overlapping (ms). */
#define ATTEST_REJECTION_SPAN_SLACK_MS 1000

/* One standing rejection, as the store knows it. */
typedef struct
{
  gint64  rejection_id;
  gint64  identity_id;      /* who the face was said not to be */
  char   *reviewer;
  gint64  decided_at_us;    /* UTC microseconds */
  char   *source_uri;       /* may be NULL */
  char   *source_sha256;    /* may be NULL */
  gint64  start_ms;         /* the rejected item's time span in its source */
  gint64  end_ms;
  gint64  best_ms;          /* the rejected face's time ("rejected at 0:04") */
  float   probe[ATTEST_EMBEDDING_DIM];   /* the rejected face, L2-normalised */
} AttestRejection;

/* Where a face was seen, for the policy's "same appearance". */
typedef struct
{
  const char *source_uri;     /* may be NULL */
  const char *source_sha256;  /* may be NULL (live video knows only the URI) */
  gint64      start_ms;
  gint64      end_ms;
} AttestSighting;

typedef struct _AttestRejections AttestRejections;

#define ATTEST_TYPE_REJECTIONS (attest_rejections_get_type ())
GType             attest_rejections_get_type (void) G_GNUC_CONST;

AttestRejections *attest_rejections_new      (void);
AttestRejections *attest_rejections_ref      (AttestRejections      *self);
void              attest_rejections_unref    (AttestRejections      *self);
/* Adds a copy (while building the set; not once it is shared). A probe that is not finite
 * or all zeros rejects nothing and is left out. */
void              attest_rejections_add      (AttestRejections      *self,
                                              const AttestRejection *rejection);
guint             attest_rejections_get_n    (AttestRejections      *self);

/* The rejection that hides `identity_id` from the face `probe` seen at `where` under the
 * policy above, or NULL. *similarity (may be NULL): the probe's cosine with the rejected
 * face. self may be NULL (no rejections). Valid as long as self. */
const AttestRejection *attest_rejections_lookup (AttestRejections     *self,
                                                 gint64                identity_id,
                                                 const float          *probe,
                                                 const AttestSighting *where,
                                                 float                *similarity);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AttestRejections, attest_rejections_unref)

G_END_DECLS
