/* attest-search.c: loading the search index from the gallery; faces of still images. */
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "review/attest-search.h"
#include "store/attest-gallery.h"
#include "store/attest-review.h"

/* ---- the index ---- */

typedef struct
{
  AttestMatcher *matcher;
  GError        *error;    /* the first face the index refused */
} LoadData;

static void
load_one (gint64       face_id,
          gint64       identity_id,
          const float *embedding,
          gpointer     user_data)
{
  LoadData *data = user_data;
  g_autoptr (GError) error = NULL;

  /* The store checked every embedding on the way in; a refusal here means a damaged row.
   * Keep loading the others, report the first. */
  if (!attest_matcher_add (data->matcher, face_id, identity_id, embedding, &error) &&
      data->error == NULL)
    data->error = g_steal_pointer (&error);
}

gint64
attest_matcher_load_from_store (AttestMatcher  *matcher,
                                AttestStore    *store,
                                const char     *model_id,
                                GError        **error)
{
  LoadData data = { matcher, NULL };
  gint64 n;

  g_return_val_if_fail (matcher != NULL, -1);
  g_return_val_if_fail (ATTEST_IS_STORE (store), -1);
  g_return_val_if_fail (model_id != NULL, -1);
  g_return_val_if_fail (error == NULL || *error == NULL, -1);

  attest_matcher_clear (matcher);
  n = attest_store_count_faces (store, error);
  if (n < 0)
    return -1;
  /* An upper bound (other models' faces are counted too): one allocation, no regrowth. */
  attest_matcher_reserve (matcher, (guint) MIN (n, (gint64) G_MAXUINT));

  n = attest_store_foreach_embedding (store, model_id, load_one, &data, error);
  if (n < 0)
    {
      g_clear_error (&data.error);
      return -1;
    }
  if (data.error != NULL)
    {
      g_propagate_prefixed_error (error, data.error, "%s",
                                  _("The gallery’s search index could not be loaded: "));
      return -1;
    }
  return (gint64) attest_matcher_get_n_faces (matcher);
}

/* ---- rejected probes ---- */

static void
add_rejection (const AttestStoredRejection *stored,
               gpointer                     user_data)
{
  AttestRejection r = {
    stored->rejection_id, stored->identity_id, (char *) stored->reviewer, stored->decided_at_us,
    (char *) stored->source_uri, (char *) stored->source_sha256, stored->start_ms,
    stored->end_ms, stored->best_ms,
  };

  G_STATIC_ASSERT (ATTEST_GALLERY_EMBEDDING_DIM == ATTEST_EMBEDDING_DIM);
  memcpy (r.probe, stored->probe, sizeof r.probe);
  attest_rejections_add (user_data, &r);
}

AttestRejections *
attest_rejections_load_from_store (AttestStore  *store,
                                   const char   *model_id,
                                   GError      **error)
{
  g_autoptr (AttestRejections) rejections = attest_rejections_new ();

  g_return_val_if_fail (ATTEST_IS_STORE (store), NULL);
  g_return_val_if_fail (model_id != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (attest_store_foreach_rejection (store, model_id, add_rejection, rejections, error) < 0)
    return NULL;
  return g_steal_pointer (&rejections);
}

static gpointer
read_rejections (AttestStore  *store,
                 gpointer      data,
                 GError      **error)
{
  return attest_rejections_load_from_store (store, data, error);
}

void
attest_rejections_load_async (AttestStore         *store,
                              const char          *model_id,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_return_if_fail (ATTEST_IS_STORE (store));
  g_return_if_fail (model_id != NULL);

  attest_store_read_async (store, read_rejections, g_strdup (model_id), g_free,
                           (GDestroyNotify) attest_rejections_unref, cancellable, callback,
                           user_data);
}

AttestRejections *
attest_rejections_load_finish (AttestStore   *store,
                               GAsyncResult  *result,
                               GError       **error)
{
  return attest_store_read_finish (store, result, error);
}

/* ---- still images ---- */

struct _AttestStill
{
  AttestVision *vision;      /* not owned */
  AttestImage  *image;       /* the file's pixels, or the padded copy */
  int           pad;         /* pixels added on each side (0: not padded) */
  guint         n_faces;
  AttestBox     boxes[ATTEST_STILL_MAX_FACES];
};

/* A BGR copy of `image` with `pad` pixels added on every side, edge pixels repeated (no
 * black frame: a hard edge would itself look like structure to the detector). */
static AttestImage *
pad_replicate (AttestImage *image,
               int          pad)
{
  const AttestImageView *src = attest_image_get_view (image);
  int width = src->width + 2 * pad;
  int height = src->height + 2 * pad;
  gsize stride = (gsize) width * 3;
  g_autofree guint8 *pixels = g_malloc ((gsize) height * stride);
  AttestImageView view = { pixels, width, height, (int) stride, ATTEST_PIXELS_BGR };

  /* attest_image_load() always gives BGR. */
  g_assert (src->format == ATTEST_PIXELS_BGR);
  for (int y = 0; y < height; y++)
    {
      const guint8 *row = src->data + (gsize) CLAMP (y - pad, 0, src->height - 1) * src->stride;
      guint8 *out = pixels + (gsize) y * stride;

      for (int x = 0; x < width; x++)
        memcpy (out + (gsize) x * 3, row + (gsize) CLAMP (x - pad, 0, src->width - 1) * 3, 3);
    }
  return attest_image_new_from_view (&view);
}

AttestStill *
attest_still_load (AttestVision  *vision,
                   const char    *path,
                   GError       **error)
{
  AttestImage *image;

  g_return_val_if_fail (vision != NULL, NULL);
  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  image = attest_image_load (path, error);
  return image != NULL ? attest_still_new (vision, image) : NULL;
}

AttestStill *
attest_still_new (AttestVision *vision,
                  AttestImage  *image_in)
{
  g_autoptr (AttestImage) image = image_in;
  g_autoptr (AttestStill) self = NULL;
  const AttestImageView *view;
  int n;

  g_return_val_if_fail (vision != NULL, NULL);
  g_return_val_if_fail (image != NULL, NULL);

  self = g_new0 (AttestStill, 1);
  self->vision = vision;
  view = attest_image_get_view (image);
  n = attest_vision_detect (vision, view, self->boxes, ATTEST_STILL_MAX_FACES);
  if (n == 0)
    {
      int pad = MAX (view->width, view->height) / 2;
      g_autoptr (AttestImage) padded = pad > 0 ? pad_replicate (image, pad) : NULL;
      int n_padded = padded != NULL
                     ? attest_vision_detect (vision, attest_image_get_view (padded),
                                             self->boxes, ATTEST_STILL_MAX_FACES)
                     : 0;

      if (n_padded > 0)
        {
          g_clear_pointer (&image, attest_image_free);
          image = g_steal_pointer (&padded);
          self->pad = pad;
          n = n_padded;
        }
    }
  self->image = g_steal_pointer (&image);
  self->n_faces = (guint) MAX (n, 0);
  return g_steal_pointer (&self);
}

void
attest_still_free (AttestStill *self)
{
  if (self == NULL)
    return;
  g_clear_pointer (&self->image, attest_image_free);
  g_free (self);
}

guint
attest_still_get_n_faces (AttestStill *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->n_faces;
}

gboolean
attest_still_get_padded (AttestStill *self)
{
  g_return_val_if_fail (self != NULL, FALSE);

  return self->pad > 0;
}

const AttestImageView *
attest_still_get_view (AttestStill *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return attest_image_get_view (self->image);
}

const AttestBox *
attest_still_get_box (AttestStill *self,
                      guint        i)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (i < MIN (self->n_faces, ATTEST_STILL_MAX_FACES), NULL);

  return &self->boxes[i];
}

void
attest_still_get_file_box (AttestStill *self,
                           guint        i,
                           AttestBox   *out)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (i < MIN (self->n_faces, ATTEST_STILL_MAX_FACES));
  g_return_if_fail (out != NULL);

  *out = self->boxes[i];
  out->x -= self->pad;
  out->y -= self->pad;
}

gboolean
attest_still_examine_face (AttestStill    *self,
                           guint           i,
                           AttestQuality  *quality,
                           float          *embedding,
                           GError        **error)
{
  const AttestImageView *view;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (i < MIN (self->n_faces, ATTEST_STILL_MAX_FACES), FALSE);
  g_return_val_if_fail (quality != NULL, FALSE);
  g_return_val_if_fail (embedding != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  view = attest_image_get_view (self->image);
  if (!attest_vision_assess (self->vision, view, &self->boxes[i], quality, error))
    return FALSE;
  if (quality->issue != ATTEST_QUALITY_OK)
    return TRUE;
  return attest_vision_embed (self->vision, view, &self->boxes[i], embedding, error);
}
