/* test-slideshow.h: videos made in the test from the Debian johns photos, for what the
 * bundled sample does not show: different people one after another in exactly the same
 * place (a doorway camera), two people swapping places, and clips joined by a hard cut.
 * Their ground truth is known because the test places every photo itself.
 *
 * Each person is shown with johns photos the sample video uses, which the tests' galleries
 * never enrol (test-sample-gallery.h enrols the others), so recognising them is a real test.
 * Frames are composed with gdk-pixbuf and encoded with GStreamer (appsrc ! x264enc ! mp4mux).
 * Static functions in a header: each test is one file. */
#pragma once

#include <gdk-pixbuf/gdk-pixbuf.h>
#include <gio/gio.h>
#include <gst/app/gstappsrc.h>
#include <gst/gst.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "analysis/attest-matcher.h"
#include "vision/attest-vision.h"

#define SLIDESHOW_WIDTH 640
#define SLIDESHOW_HEIGHT 480
#define SLIDESHOW_CARD 200   /* photo side in the frame, pixels */
#define SLIDESHOW_BORDER 3
#define SLIDESHOW_MAX_APPEARANCES 16

typedef enum
{
  SLIDESHOW_SAME_PLACE,  /* six people (five, one again) one after another at the centre */
  SLIDESHOW_SWAP,        /* two side by side swap places, twice; then two others */
  SLIDESHOW_CUT,         /* three clips of different backgrounds joined by hard cuts */
} SlideshowKind;

/* One photo shown in one place for a while. A person on screen without a break is one
 * appearance, even when they change places (the swap): its segments share `appearance`. */
typedef struct
{
  const char *person;
  guint       appearance;   /* index of the appearance this segment belongs to */
  char       *photo;        /* path of the johns photo shown */
  guint       first_frame;
  guint       last_frame;   /* inclusive */
  int         x, y;         /* top-left of the photo, frame pixels */
  int         background;   /* clip: 0 or 1 */
} SlideAppearance;

typedef struct
{
  SlideshowKind   kind;
  const char     *name;
  int             fps;
  guint           n_frames;
  guint           n;             /* segments */
  SlideAppearance appearances[SLIDESHOW_MAX_APPEARANCES];
  guint           n_appearances;
} Slideshow;

static void
slideshow_free (Slideshow *show)
{
  for (guint i = 0; show != NULL && i < show->n; i++)
    g_free (show->appearances[i].photo);
  g_free (show);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Slideshow, slideshow_free)

/* The index-th photo (sorted) of `person` that the bundled sample video shows, so never one a
 * test gallery enrols. */
static char *
slideshow_photo (const char *person,
                 guint       index)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;
  JsonObject *photos;
  JsonArray *used;

  json_parser_load_from_file (parser, g_getenv ("ATTEST_SAMPLE_TRUTH"), &error);
  g_assert_no_error (error);
  photos = json_object_get_object_member (json_node_get_object (json_parser_get_root (parser)),
                                          "photos");
  used = json_object_get_array_member (photos, person);
  g_assert_nonnull (used);
  index = MIN (index, json_array_get_length (used) - 1);
  return g_build_filename (g_getenv ("ATTEST_DLIB_EXAMPLES"), "johns", person,
                           json_array_get_string_element (used, index), NULL);
}

/* A segment; `appearance` -1 starts a new appearance, else continues that one. */
static void
slideshow_add_to (Slideshow  *show,
                  int         appearance,
                  const char *person,
                  guint       photo,
                  double      from_s,
                  double      to_s,
                  int         x,
                  int         y,
                  int         background)
{
  SlideAppearance *a = &show->appearances[show->n++];

  g_assert_cmpuint (show->n, <=, SLIDESHOW_MAX_APPEARANCES);
  a->person = person;
  a->appearance = appearance >= 0 ? (guint) appearance : show->n_appearances++;
  a->photo = slideshow_photo (person, photo);
  a->first_frame = (guint) (from_s * show->fps + 0.5);
  a->last_frame = (guint) (to_s * show->fps + 0.5) - 1;
  a->x = x;
  a->y = y;
  a->background = background;
  show->n_frames = MAX (show->n_frames, a->last_frame + 1);
}

#define slideshow_add(show, ...) slideshow_add_to (show, -1, __VA_ARGS__)

/* Each person is on screen 1 to 2 s (in the swap, two stay 4.5 s and change places twice). */
G_GNUC_UNUSED static Slideshow *
slideshow_new (SlideshowKind kind,
               int           fps)
{
  Slideshow *show = g_new0 (Slideshow, 1);
  const int cx = (SLIDESHOW_WIDTH - SLIDESHOW_CARD) / 2, cy = (SLIDESHOW_HEIGHT - SLIDESHOW_CARD) / 2;
  const int left = 80, right = SLIDESHOW_WIDTH - 80 - SLIDESHOW_CARD;

  show->kind = kind;
  show->fps = fps;
  switch (kind)
    {
    case SLIDESHOW_SAME_PLACE:
      show->name = "same-place";
      slideshow_add (show, "John_Salley", 1, 0.0, 1.5, cx, cy, 0);
      slideshow_add (show, "John_Savage", 1, 1.5, 2.5, cx, cy, 0);
      slideshow_add (show, "John_Schneider", 1, 2.5, 4.5, cx, cy, 0);
      slideshow_add (show, "John_Shimkus", 1, 4.5, 5.7, cx, cy, 0);
      slideshow_add (show, "John_Simm", 1, 5.7, 7.5, cx, cy, 0);
      slideshow_add (show, "John_Salley", 0, 7.5, 9.0, cx, cy, 0);
      break;
    case SLIDESHOW_SWAP:
      show->name = "swap";
      slideshow_add (show, "John_Salley", 1, 0.0, 1.5, left, cy, 0);
      slideshow_add (show, "John_Shimkus", 1, 0.0, 1.5, right, cy, 0);
      slideshow_add_to (show, 1, "John_Shimkus", 1, 1.5, 3.0, left, cy, 0);
      slideshow_add_to (show, 0, "John_Salley", 1, 1.5, 3.0, right, cy, 0);
      slideshow_add_to (show, 0, "John_Salley", 1, 3.0, 4.5, left, cy, 0);
      slideshow_add_to (show, 1, "John_Shimkus", 1, 3.0, 4.5, right, cy, 0);
      slideshow_add (show, "John_Savage", 1, 4.5, 6.0, left, cy, 0);
      slideshow_add (show, "John_Simm", 1, 4.5, 6.0, right, cy, 0);
      break;
    case SLIDESHOW_CUT:
      show->name = "cut";
      slideshow_add (show, "John_Schneider", 1, 0.0, 2.0, cx, cy, 0);
      slideshow_add (show, "John_Simm", 1, 2.0, 4.0, cx, cy, 1);
      slideshow_add (show, "John_Savage", 1, 4.0, 6.0, cx, cy, 0);
      break;
    }
  return show;
}

/* The appearance on screen at `frame` where `box` is (its centre inside the photo), or NULL. */
G_GNUC_UNUSED static const SlideAppearance *
slideshow_at (const Slideshow *show,
              guint64          frame,
              const AttestBox *box)
{
  double cx = box->x + box->w / 2, cy = box->y + box->h / 2;

  for (guint i = 0; i < show->n; i++)
    {
      const SlideAppearance *a = &show->appearances[i];

      if (frame >= a->first_frame && frame <= a->last_frame &&
          cx >= a->x && cx < a->x + SLIDESHOW_CARD && cy >= a->y && cy < a->y + SLIDESHOW_CARD)
        return a;
    }
  return NULL;
}

/* The appearance that is showing `person` at `frame`, or NULL. */
G_GNUC_UNUSED static const SlideAppearance *
slideshow_find (const Slideshow *show,
                guint64          frame,
                const char      *person)
{
  for (guint i = 0; i < show->n; i++)
    {
      const SlideAppearance *a = &show->appearances[i];

      if (frame >= a->first_frame && frame <= a->last_frame && g_str_equal (a->person, person))
        return a;
    }
  return NULL;
}

/* Two backgrounds, smooth and unlike each other, so a cut between them changes every part of
 * the frame while a photo changing in place changes only its own part. */
static GdkPixbuf *
slideshow_background (int which)
{
  GdkPixbuf *bg = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, SLIDESHOW_WIDTH, SLIDESHOW_HEIGHT);
  int stride = gdk_pixbuf_get_rowstride (bg);
  guchar *pixels = gdk_pixbuf_get_pixels (bg);

  for (int y = 0; y < SLIDESHOW_HEIGHT; y++)
    for (int x = 0; x < SLIDESHOW_WIDTH; x++)
      {
        guchar *p = pixels + y * stride + x * 3;

        if (which == 0)
          {
            p[0] = p[1] = p[2] = (guchar) (70 + 60 * y / SLIDESHOW_HEIGHT);
            p[2] += 10;
          }
        else
          {
            p[0] = (guchar) (200 - 60 * x / SLIDESHOW_WIDTH);
            p[1] = (guchar) (190 - 30 * y / SLIDESHOW_HEIGHT);
            p[2] = 150;
          }
      }
  return bg;
}

typedef struct
{
  const Slideshow *show;
  GdkPixbuf       *backgrounds[2];
  GdkPixbuf       *cards[SLIDESHOW_MAX_APPEARANCES];
} SlideshowWriter;

static GstBuffer *
slideshow_frame (SlideshowWriter *w,
                 guint            frame)
{
  g_autoptr (GdkPixbuf) canvas = NULL;
  int background = 0;

  for (guint i = 0; i < w->show->n; i++)
    if (frame >= w->show->appearances[i].first_frame && frame <= w->show->appearances[i].last_frame)
      background = w->show->appearances[i].background;
  canvas = gdk_pixbuf_copy (w->backgrounds[background]);
  for (guint i = 0; i < w->show->n; i++)
    {
      const SlideAppearance *a = &w->show->appearances[i];

      if (frame >= a->first_frame && frame <= a->last_frame)
        gdk_pixbuf_copy_area (w->cards[i], 0, 0, gdk_pixbuf_get_width (w->cards[i]),
                              gdk_pixbuf_get_height (w->cards[i]), canvas,
                              a->x - SLIDESHOW_BORDER, a->y - SLIDESHOW_BORDER);
    }
  {
    int stride = gdk_pixbuf_get_rowstride (canvas);
    gsize row = SLIDESHOW_WIDTH * 3;
    GstBuffer *buffer = gst_buffer_new_allocate (NULL, row * SLIDESHOW_HEIGHT, NULL);
    GstMapInfo map;

    gst_buffer_map (buffer, &map, GST_MAP_WRITE);
    for (int y = 0; y < SLIDESHOW_HEIGHT; y++)
      memcpy (map.data + y * row, gdk_pixbuf_get_pixels (canvas) + y * stride, row);
    gst_buffer_unmap (buffer, &map);
    GST_BUFFER_PTS (buffer) = gst_util_uint64_scale (frame, GST_SECOND, w->show->fps);
    GST_BUFFER_DURATION (buffer) = gst_util_uint64_scale (1, GST_SECOND, w->show->fps);
    return buffer;
  }
}

/* Writes the slideshow to `path` (H.264 in MP4). */
G_GNUC_UNUSED static void
slideshow_write (const Slideshow *show,
                 const char      *path)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *launch = g_strdup_printf (
    "appsrc name=src format=time block=true caps=video/x-raw,format=RGB,width=%d,height=%d,"
    "framerate=%d/1 ! videoconvert ! x264enc speed-preset=veryfast tune=zerolatency "
    "key-int-max=%d ! mp4mux ! filesink location=\"%s\"",
    SLIDESHOW_WIDTH, SLIDESHOW_HEIGHT, show->fps, show->fps * 2, path);
  g_autoptr (GstElement) pipeline = NULL;
  g_autoptr (GstElement) src = NULL;
  g_autoptr (GstBus) bus = NULL;
  g_autoptr (GstMessage) message = NULL;
  SlideshowWriter w = { show };

  if (!gst_is_initialized ())
    gst_init (NULL, NULL);
  w.backgrounds[0] = slideshow_background (0);
  w.backgrounds[1] = slideshow_background (1);
  for (guint i = 0; i < show->n; i++)
    {
      g_autoptr (GdkPixbuf) photo = gdk_pixbuf_new_from_file (show->appearances[i].photo, &error);
      g_autoptr (GdkPixbuf) scaled = NULL;

      g_assert_no_error (error);
      scaled = gdk_pixbuf_scale_simple (photo, SLIDESHOW_CARD, SLIDESHOW_CARD, GDK_INTERP_BILINEAR);
      /* A card: the photo in a thin light frame, as the sample shows them. */
      w.cards[i] = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8,
                                   SLIDESHOW_CARD + 2 * SLIDESHOW_BORDER,
                                   SLIDESHOW_CARD + 2 * SLIDESHOW_BORDER);
      gdk_pixbuf_fill (w.cards[i], 0xeeeeeeff);
      gdk_pixbuf_copy_area (scaled, 0, 0, SLIDESHOW_CARD, SLIDESHOW_CARD, w.cards[i],
                            SLIDESHOW_BORDER, SLIDESHOW_BORDER);
    }

  pipeline = gst_parse_launch (launch, &error);
  g_assert_no_error (error);
  src = gst_bin_get_by_name (GST_BIN (pipeline), "src");
  gst_element_set_state (pipeline, GST_STATE_PLAYING);
  for (guint f = 0; f < show->n_frames; f++)
    g_assert_cmpint (gst_app_src_push_buffer (GST_APP_SRC (src), slideshow_frame (&w, f)), ==,
                     GST_FLOW_OK);
  gst_app_src_end_of_stream (GST_APP_SRC (src));
  bus = gst_element_get_bus (pipeline);
  message = gst_bus_timed_pop_filtered (bus, 120 * GST_SECOND, GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
  g_assert_nonnull (message);
  g_assert_cmpint (GST_MESSAGE_TYPE (message), ==, GST_MESSAGE_EOS);
  gst_element_set_state (pipeline, GST_STATE_NULL);

  for (guint i = 0; i < show->n; i++)
    g_object_unref (w.cards[i]);
  g_object_unref (w.backgrounds[0]);
  g_object_unref (w.backgrounds[1]);
}

/* ---- faces of photos, and a gallery of the photos no slideshow shows ---------------------- */

/* A BGR copy of a pixbuf. */
static AttestImage *
slideshow_image_from_pixbuf (GdkPixbuf *pixbuf)
{
  AttestImageView view = {
    gdk_pixbuf_get_pixels (pixbuf), gdk_pixbuf_get_width (pixbuf), gdk_pixbuf_get_height (pixbuf),
    gdk_pixbuf_get_rowstride (pixbuf),
    gdk_pixbuf_get_n_channels (pixbuf) == 4 ? ATTEST_PIXELS_RGBA : ATTEST_PIXELS_RGB
  };

  return attest_image_new_from_view (&view);
}

/* A johns chip as the slideshows show it: a card on a plain grey canvas. */
G_GNUC_UNUSED static AttestImage *
slideshow_chip_on_canvas (const char *path)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GdkPixbuf) photo = gdk_pixbuf_new_from_file (path, &error);
  g_autoptr (GdkPixbuf) scaled = NULL;
  g_autoptr (GdkPixbuf) canvas = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, 400, 400);

  g_assert_no_error (error);
  scaled = gdk_pixbuf_scale_simple (photo, SLIDESHOW_CARD, SLIDESHOW_CARD, GDK_INTERP_BILINEAR);
  gdk_pixbuf_fill (canvas, 0x707880ff);
  gdk_pixbuf_copy_area (scaled, 0, 0, SLIDESHOW_CARD, SLIDESHOW_CARD, canvas, 100, 100);
  return slideshow_image_from_pixbuf (canvas);
}

/* The embedding of the biggest face of `view`, when it passes the quality gate. */
static gboolean
slideshow_embed_biggest (AttestVision          *vision,
                         const AttestImageView *view,
                         float                 *embedding,
                         AttestBox             *box_out)
{
  AttestBox boxes[16];
  AttestQuality quality;
  int n = attest_vision_detect (vision, view, boxes, G_N_ELEMENTS (boxes));
  int best = -1;

  for (int i = 0; i < MIN (n, 16); i++)
    if (best < 0 || boxes[i].w > boxes[best].w)
      best = i;
  if (best < 0 || !attest_vision_assess (vision, view, &boxes[best], &quality, NULL) ||
      quality.issue != ATTEST_QUALITY_OK)
    return FALSE;
  if (box_out != NULL)
    *box_out = boxes[best];
  return attest_vision_embed (vision, view, &boxes[best], embedding, NULL);
}

/* Every johns photo of each person that no video shows (not the sample, not a slideshow),
 * each a face of identity 1..5; *names: gint64 * -> person. */
G_GNUC_UNUSED static AttestMatcher *
slideshow_gallery_new (AttestVision  *vision,
                       GHashTable   **names)
{
  static const char *const people[] = {
    "John_Salley", "John_Savage", "John_Schneider", "John_Shimkus", "John_Simm",
  };
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;
  AttestMatcher *gallery = attest_matcher_new (ATTEST_EMBEDDING_DIM);
  JsonObject *photos;
  gint64 face_id = 1;

  json_parser_load_from_file (parser, g_getenv ("ATTEST_SAMPLE_TRUTH"), &error);
  g_assert_no_error (error);
  photos = json_object_get_object_member (json_node_get_object (json_parser_get_root (parser)),
                                          "photos");
  *names = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_free);
  for (guint p = 0; p < G_N_ELEMENTS (people); p++)
    {
      g_autofree char *folder = g_build_filename (g_getenv ("ATTEST_DLIB_EXAMPLES"), "johns",
                                                  people[p], NULL);
      g_autoptr (GDir) dir = g_dir_open (folder, 0, &error);
      JsonArray *used = json_object_get_array_member (photos, people[p]);
      gint64 identity = p + 1;
      const char *file;
      guint enrolled = 0;

      g_assert_no_error (error);
      g_hash_table_insert (*names, g_memdup2 (&identity, sizeof identity), g_strdup (people[p]));
      while ((file = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *path = g_build_filename (folder, file, NULL);
          g_autoptr (AttestImage) image = NULL;
          gboolean shown = FALSE;
          float e[ATTEST_EMBEDDING_DIM];

          for (guint i = 0; i < json_array_get_length (used); i++)
            shown |= g_str_equal (json_array_get_string_element (used, i), file);
          if (shown)
            continue;
          image = slideshow_chip_on_canvas (path);
          if (!slideshow_embed_biggest (vision, attest_image_get_view (image), e, NULL))
            continue;
          g_assert_true (attest_matcher_add (gallery, face_id++, identity, e, NULL));
          enrolled++;
        }
      g_assert_cmpuint (enrolled, >=, 5);
    }
  return gallery;
}

/* Who `gallery` says the face in a stored crop (PNG) is: its best identity at any score, or
 * NULL for a crop too poor to compare. */
G_GNUC_UNUSED static const char *
slideshow_identify_png (AttestVision  *vision,
                        AttestMatcher *gallery,
                        GHashTable    *names,
                        GBytes        *png,
                        float         *score)
{
  g_autoptr (GInputStream) stream = g_memory_input_stream_new_from_bytes (png);
  g_autoptr (GdkPixbuf) pixbuf = gdk_pixbuf_new_from_stream (stream, NULL, NULL);
  g_autoptr (AttestImage) image = NULL;
  float e[ATTEST_EMBEDDING_DIM];
  AttestCandidate c;

  g_assert_nonnull (pixbuf);
  image = slideshow_image_from_pixbuf (pixbuf);
  if (!slideshow_embed_biggest (vision, attest_image_get_view (image), e, NULL) ||
      attest_matcher_search (gallery, e, 1, NULL, 0, &c) == 0)
    return NULL;
  *score = c.score;
  return g_hash_table_lookup (names, &c.identity_id);
}
