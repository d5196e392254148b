/* attest-rejections.c: see attest-rejections.h. */
#include "config.h"

#include <math.h>
#include <string.h>

#include "analysis/attest-rejections.h"

struct _AttestRejections
{
  GPtrArray  *all;           /* AttestRejection* */
  GHashTable *by_identity;   /* gint64 * (into the entry) -> GPtrArray of AttestRejection* */
};

G_DEFINE_BOXED_TYPE (AttestRejections, attest_rejections, attest_rejections_ref,
                     attest_rejections_unref)

static void
rejection_free (gpointer data)
{
  AttestRejection *r = data;

  g_free (r->reviewer);
  g_free (r->source_uri);
  g_free (r->source_sha256);
  g_free (r);
}

static void
rejections_clear (gpointer data)
{
  AttestRejections *self = data;

  g_hash_table_unref (self->by_identity);
  g_ptr_array_unref (self->all);
}

AttestRejections *
attest_rejections_new (void)
{
  AttestRejections *self = g_atomic_rc_box_new0 (AttestRejections);

  self->all = g_ptr_array_new_with_free_func (rejection_free);
  self->by_identity = g_hash_table_new_full (g_int64_hash, g_int64_equal, NULL,
                                             (GDestroyNotify) g_ptr_array_unref);
  return self;
}

AttestRejections *
attest_rejections_ref (AttestRejections *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return g_atomic_rc_box_acquire (self);
}

void
attest_rejections_unref (AttestRejections *self)
{
  if (self != NULL)
    g_atomic_rc_box_release_full (self, rejections_clear);
}

void
attest_rejections_add (AttestRejections      *self,
                       const AttestRejection *rejection)
{
  AttestRejection *r;
  GPtrArray *of_identity;
  double norm = 0;

  g_return_if_fail (self != NULL);
  g_return_if_fail (rejection != NULL);

  for (guint i = 0; i < ATTEST_EMBEDDING_DIM; i++)
    norm += (double) rejection->probe[i] * rejection->probe[i];
  if (!isfinite (norm) || norm <= 0)
    return;

  r = g_memdup2 (rejection, sizeof *rejection);
  r->reviewer = g_strdup (rejection->reviewer);
  r->source_uri = g_strdup (rejection->source_uri);
  r->source_sha256 = g_ascii_strdown (rejection->source_sha256 != NULL
                                      ? rejection->source_sha256 : "", -1);
  if (*r->source_sha256 == '\0')
    g_clear_pointer (&r->source_sha256, g_free);
  norm = sqrt (norm);
  for (guint i = 0; i < ATTEST_EMBEDDING_DIM; i++)
    r->probe[i] = (float) (r->probe[i] / norm);
  g_ptr_array_add (self->all, r);

  of_identity = g_hash_table_lookup (self->by_identity, &r->identity_id);
  if (of_identity == NULL)
    {
      of_identity = g_ptr_array_new ();
      g_hash_table_insert (self->by_identity, &r->identity_id, of_identity);
    }
  g_ptr_array_add (of_identity, r);
}

guint
attest_rejections_get_n (AttestRejections *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->all->len;
}

static gboolean
same_source (const AttestRejection *r,
             const AttestSighting  *where)
{
  if (r->source_sha256 != NULL && where->source_sha256 != NULL)
    return g_ascii_strcasecmp (r->source_sha256, where->source_sha256) == 0;
  return r->source_uri != NULL && where->source_uri != NULL &&
         strcmp (r->source_uri, where->source_uri) == 0;
}

static gboolean
spans_overlap (const AttestRejection *r,
               const AttestSighting  *where)
{
  return where->start_ms <= r->end_ms + ATTEST_REJECTION_SPAN_SLACK_MS &&
         r->start_ms - ATTEST_REJECTION_SPAN_SLACK_MS <= where->end_ms;
}

const AttestRejection *
attest_rejections_lookup (AttestRejections     *self,
                          gint64                identity_id,
                          const float          *probe,
                          const AttestSighting *where,
                          float                *similarity)
{
  const AttestRejection *found = NULL;
  float found_cosine = -2;
  GPtrArray *of_identity;

  if (similarity != NULL)
    *similarity = NAN;
  if (self == NULL || probe == NULL)
    return NULL;

  of_identity = g_hash_table_lookup (self->by_identity, &identity_id);
  for (guint i = 0; of_identity != NULL && i < of_identity->len; i++)
    {
      const AttestRejection *r = g_ptr_array_index (of_identity, i);
      float cosine = attest_embedding_cosine (r->probe, probe);
      gboolean hides = cosine >= ATTEST_REJECTION_SAME_FACE ||
                       (where != NULL && cosine >= ATTEST_REJECTION_SAME_PERSON &&
                        same_source (r, where) && spans_overlap (r, where));

      /* Of several, the most alike: the one the reviewer will recognise. */
      if (hides && cosine > found_cosine)
        {
          found = r;
          found_cosine = cosine;
        }
    }
  if (found != NULL && similarity != NULL)
    *similarity = found_cosine;
  return found;
}
