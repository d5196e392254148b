/* attest-rejections.c: see attest-rejections.h. */
#include "config.h"

#include "analysis/attest-rejections.h"

guint
attest_rejections_find (AttestMatcher *rejections,
                        const float   *probe,
                        gint64        *identity_ids,
                        guint          max_ids)
{
  AttestCandidate found[ATTEST_REJECTIONS_MAX];
  guint n, kept = 0;

  if (rejections == NULL || probe == NULL || attest_matcher_get_n_faces (rejections) == 0)
    return 0;
  n = attest_matcher_search_exact (rejections, probe, MIN (max_ids, ATTEST_REJECTIONS_MAX),
                                   NULL, 0, found);
  for (guint i = 0; i < n; i++)
    if (found[i].score >= ATTEST_REJECTION_SAME_FACE)
      identity_ids[kept++] = found[i].identity_id;
  return kept;
}

