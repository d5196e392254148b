/* attest-match-text.c: see attest-match-text.h. */
#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "attest-match-text.h"

char *
attest_match_text_score (double score,
                         double threshold)
{
  /* Translators: a similarity score and the threshold it is judged against. */
  return g_strdup_printf (_("%.2f (threshold %.2f)"), score, threshold);
}

char *
attest_match_text_label (const AttestFaceInfo *info,
                         const AttestBox      *box,
                         AttestFaceState       state,
                         double                threshold)
{
  switch (state)
    {
    case ATTEST_FACE_STATE_SUGGESTION:
      {
        const AttestFaceCandidate *best = &info->candidates[0];
        g_autofree char *score = attest_match_text_score (best->score, threshold);

        /* Translators: "Suggestion: <name> · <score> (threshold <t>)"; a candidate only,
         * not a match. */
        return g_strdup_printf (_("Suggestion: %s · %s"), best->name, score);
      }
    case ATTEST_FACE_STATE_CONFIRMED:
      /* Translators: a reviewer confirmed this face is this person. */
      return g_strdup_printf (_("Confirmed: %s"), info->candidates[0].name);
    case ATTEST_FACE_STATE_NO_MATCH:
      return g_strdup (_("No match"));
    case ATTEST_FACE_STATE_POOR:
      return g_strdup_printf (_("Too poor to compare: %s"), info->quality_reason);
    case ATTEST_FACE_STATE_NOT_COMPARED:
    default:
      if (info != NULL)
        return g_strdup (_("Not compared yet"));
      /* Translators: detector confidence of a face box, not a match score. */
      return g_strdup_printf (_("face %.2f"), box != NULL ? box->score : 0.f);
    }
}

char *
attest_match_text_fmr (const AttestImpostorStats *stats,
                       gboolean                   enough)
{
  double upper;

  if (stats == NULL)
    return g_strdup (_("Estimating the false-match rate of this gallery…"));
  if (!enough || stats->n_probes == 0)
    return g_strdup (_("Not enough gallery faces to estimate the false-match rate (needs 2 "
                       "people and 10 faces)"));

  /* An upper bound: rounded up, never down, so it never claims more than was measured. */
  upper = ceil (stats->gallery_fmr_upper95 * 1000.0) / 10.0;
  if (stats->n_probes_matched == 0)
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                         "At %.2f, %u of %u gallery face matched another person "
                                         "(estimated false-match rate under %.1f%%, 95%% bound)",
                                         "At %.2f, %u of %u gallery faces matched another person "
                                         "(estimated false-match rate under %.1f%%, 95%% bound)",
                                         stats->n_probes),
                            stats->threshold, stats->n_probes_matched, stats->n_probes, upper);
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                       "At %.2f, %u of %u gallery face matched another person "
                                       "(estimated false-match rate %.1f%%, at most %.1f%%, 95%% bound)",
                                       "At %.2f, %u of %u gallery faces matched another person "
                                       "(estimated false-match rate %.1f%%, at most %.1f%%, 95%% bound)",
                                       stats->n_probes),
                          stats->threshold, stats->n_probes_matched, stats->n_probes,
                          stats->gallery_fmr * 100.0, upper);
}
