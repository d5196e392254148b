/* make-sample-video.c: builds the bundled sample video and its ground truth.
 *
 * Every face in the video is a real photograph that Debian ships in libdlib19.1: the five
 * "johns" identities (150x150 dlib-aligned face chips) shown as moving cards, and one PASCAL
 * VOC group photo with three labelled faces. The background is the dlib table scene
 * (one frame of examples/video_frames, no people). Frames are composed here with gdk-pixbuf and encoded
 * with GStreamer (appsrc ! x264enc ! mp4mux). Because we place every card ourselves, we know
 * where every face is in every frame: that goes to the --truth JSON the tests use.
 *
 * Usage: attest-make-sample --photos DLIB_EXAMPLES --output sample.mp4 --truth sample.json
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <gdk-pixbuf/gdk-pixbuf.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <gst/app/gstappsrc.h>
#include <gst/gst.h>
#include <json-glib/json-glib.h>

#define WIDTH 1280
#define HEIGHT 720
#define FPS_N 25
#define FPS_D 1
#define CHIP_SIZE 150      /* johns chips are 150x150 */
#define PHOTOS_PER_PERSON 4 /* only the first 4 (by name) go into the video; the other 7 are
                             * left for enrolment, so recognition is tested on unseen photos */
#define BORDER 3           /* thin light frame around each card */
#define MIN_SPEED 8.0      /* px per frame; tests rely on it to tell neighbouring frames apart */
#define MAX_KEYS 6

#define GROUP_PHOTO "2008_002506.jpg"
/* The background: one still frame of dlib's table scene (no people). Still, not looped, and
 * this frame, because the detector (fr_detect.onnx) sees faces in most of the others once they
 * are upscaled 4x: 45 of the 151 frames score above 0.65 somewhere (whole frame or 640x480
 * tiles), up to 0.99. This one stays below 0.51 in every window from 320x240 to 1280x720, and
 * in the finished video no detection (whole frame plus 640x480 tiles) lies away from a face.
 * A spurious "face" in the sample would break every test that counts false positives. */
#define BACKGROUND_FRAME "frame_000137.jpg"
#define GROUP_SCALE 1.15 /* its labelled faces are 90..109 px: this makes them ~104..125 */

typedef struct
{
  int frame;
  double x, y; /* top-left of the photo (inside the border), frame pixels */
} Key;

/* One continuous appearance of one card. person NULL is the group photo. */
typedef struct
{
  const char *person;
  guint photo;  /* index into that person's first PHOTOS_PER_PERSON photos, sorted */
  int size;     /* photo side in px (group photo: ignored, GROUP_SCALE is used) */
  Key keys[MAX_KEYS];
} Appearance;

/* The timeline, in frames at 25 fps (see the report in the JSON's "appearances").
 * Cards never overlap (checked at start), so no face hides another. */
static const Appearance timeline[] = {
  /* 0-8.6 s: three people crossing, three at once 4.2-4.9 s; Salley partly out at frame 0 */
  { "John_Salley", 0, 220, { { 0, -180, 60 }, { 56, 530, 60 }, { 81, 530, 60 }, { 141, 1290, 60 } } },
  { "John_Savage", 0, 160, { { 15, 1290, 470 }, { 125, -170, 470 } } },
  { "John_Schneider", 0, 180, { { 105, 80, 730 }, { 150, 620, 300 }, { 175, 620, 300 },
                                { 215, 1290, 80 } } },
  /* 8.7-13.4 s: a big face and a smaller one */
  { "John_Shimkus", 0, 260, { { 215, 1290, 300 }, { 255, 620, 300 }, { 280, 620, 300 },
                              { 325, -270, 300 } } },
  { "John_Simm", 0, 130, { { 235, -140, 40 }, { 335, 1290, 40 } } },
  /* 13.4-16.1 s: nobody (frames 334-401) */
  /* 16.1-21.5 s: the group photo slides through and stops for a second */
  { NULL, 0, 0, { { 392, 1290, 150 }, { 452, 352, 150 }, { 482, 352, 150 }, { 542, -585, 150 } } },
  /* 22.1-27.2 s: small faces (43-51 px wide), for the detector's tiling. Salley's photo 1
   * is found at this size in only half the frames (whole frame + 640x480 tiles): photo 2 is. */
  { "John_Salley", 2, 58, { { 550, -70, 110 }, { 600, 560, 110 }, { 625, 560, 110 },
                            { 675, 1290, 110 } } },
  { "John_Schneider", 1, 56, { { 555, 1290, 330 }, { 675, -70, 330 } } },
  { "John_Simm", 1, 62, { { 560, -75, 540 }, { 610, 640, 540 }, { 635, 640, 540 },
                          { 680, 1290, 540 } } },
  /* 27.7-32.7 s: second appearances, other photos; Simm peeks in, stays partly out 1.4 s */
  { "John_Savage", 1, 200, { { 690, 1290, 40 }, { 735, 760, 40 }, { 760, 760, 40 },
                             { 820, -210, 40 } } },
  { "John_Shimkus", 1, 150, { { 700, -160, 470 }, { 800, 1290, 470 } } },
  { "John_Simm", 2, 180, { { 715, 1290, 260 }, { 725, 1160, 260 }, { 760, 1160, 260 },
                           { 770, 1290, 260 } } },
  /* 31.8-36.6 s: third appearances */
  { "John_Schneider", 3, 240, { { 790, -250, 260 }, { 840, 500, 260 }, { 865, 500, 260 },
                                { 915, 1290, 260 } } },
  { "John_Salley", 3, 140, { { 810, 1290, 560 }, { 905, -150, 560 } } },
};
#define N_FRAMES 920 /* 36.8 s */

/* Where the face is inside a johns chip, in chip pixels (x, y, w, h). Measured, not guessed:
 * the UltraFace detector (fr_detect.onnx, score > 0.65, NMS 0.4) on each chip padded by 50%
 * of its size on every side with black, box mapped back to the chip. The box may reach past
 * the chip's top edge: dlib chips crop the forehead. Other photos use the mean. Checked on the
 * finished video (whole frame plus 640x480 tiles): IoU with the detected boxes 0.84 on average,
 * 0.55 at worst, no bias (detected height 1.04x). */
typedef struct
{
  const char *file;
  double x, y, w, h;
} ChipFace;

static const ChipFace chip_faces[] = {
  { "John_Salley/000179_02159509.jpg", 12.2, 7.0, 119.6, 130.5 },
  { "John_Salley/000183_02159543.jpg", 20.9, 0.2, 111.8, 149.1 },
  { "John_Salley/000186_02159346.jpg", 13.3, 5.1, 121.4, 145.5 },
  { "John_Salley/000189_02159361.jpg", 19.9, 2.3, 113.6, 140.9 },
  { "John_Savage/000264_01099001.jpg", 11.6, -3.1, 121.8, 153.7 },
  { "John_Savage/000274_01099061.jpg", 11.5, -2.9, 120.2, 149.2 },
  { "John_Savage/000277_01099000.jpg", 19.6, -0.4, 114.6, 146.0 },
  { "John_Savage/000289_01099139.jpg", 8.0, -7.0, 120.2, 149.2 },
  { "John_Schneider/000288_00925786.jpg", 11.5, -14.4, 119.8, 148.8 },
  { "John_Schneider/000302_00925785.jpg", 15.9, 3.8, 116.4, 129.1 },
  { "John_Schneider/000307_00925823.jpg", 19.1, -8.3, 111.8, 150.8 },
  { "John_Schneider/000325_00925954.jpg", 12.1, -0.8, 115.9, 137.5 },
  { "John_Shimkus/000373_03228153.jpg", 16.0, -4.0, 116.8, 146.2 },
  { "John_Shimkus/000375_03227651.jpg", 23.3, -13.5, 106.5, 159.6 },
  { "John_Shimkus/000376_02340068.jpg", 22.8, -13.9, 107.3, 161.0 },
  { "John_Shimkus/000378_02340151.jpg", 12.8, -7.1, 109.9, 157.6 },
  { "John_Simm/000288_00470387.jpg", 10.7, -3.8, 117.9, 140.4 },
  { "John_Simm/000297_00470170.jpg", 15.5, -8.2, 122.7, 146.1 },
  { "John_Simm/000300_00470148.jpg", 13.8, -5.5, 120.3, 141.4 },
  { "John_Simm/000304_00470122.jpg", 13.7, -4.1, 121.0, 139.1 },
};
static const ChipFace chip_face_mean = { NULL, 15.2, -3.9, 116.5, 146.1 };

typedef struct
{
  double x, y, w, h;
} Box;

typedef struct
{
  int x, y, w, h;
} Rect;

/* Intersection of a and b into out (may be NULL); FALSE when they do not meet. */
static gboolean
rect_intersect (const Rect *a, const Rect *b, Rect *out)
{
  int x1 = MAX (a->x, b->x), y1 = MAX (a->y, b->y);
  int x2 = MIN (a->x + a->w, b->x + b->w), y2 = MIN (a->y + a->h, b->y + b->h);

  if (x2 <= x1 || y2 <= y1)
    return FALSE;
  if (out != NULL)
    *out = (Rect) { x1, y1, x2 - x1, y2 - y1 };
  return TRUE;
}

typedef struct
{
  const Appearance *spec;
  char *id;          /* person#n */
  char *person;      /* "group" for the group photo */
  char *photo;       /* file name */
  GdkPixbuf *card;   /* photo plus border, as drawn */
  double scale;      /* frame px per photo px */
  GArray *faces;     /* Box, in photo pixels */
  int first_frame, last_frame; /* frames with a visible face, -1 if none yet */
} Item;

typedef struct
{
  const char *photos_dir;
  GPtrArray *items;        /* Item */
  GHashTable *used_photos; /* person -> GPtrArray of file names */
  GPtrArray *person_order; /* persons in first-use order */
  GdkPixbuf *bg;           /* the background, scaled to the frame */
  int frame;               /* next frame to push */
  GMainLoop *loop;
  gboolean failed;
} Generator;

static void
item_free (gpointer data)
{
  Item *item = data;

  g_free (item->id);
  g_free (item->person);
  g_free (item->photo);
  g_clear_object (&item->card);
  g_clear_pointer (&item->faces, g_array_unref);
  g_free (item);
}

static void
fail (const char *format, ...) G_GNUC_PRINTF (1, 2);

static void
fail (const char *format, ...)
{
  va_list args;

  va_start (args, format);
  fprintf (stderr, "attest-make-sample: ");
  vfprintf (stderr, format, args);
  fprintf (stderr, "\n");
  va_end (args);
}

static int
compare_strings (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

/* The .jpg files of a folder, sorted by name, so the video is the same on every machine. */
static GPtrArray *
list_jpegs (const char *dir, GError **error)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, error);
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  if (d == NULL)
    return NULL;
  while ((name = g_dir_read_name (d)) != NULL)
    if (g_str_has_suffix (name, ".jpg"))
      g_ptr_array_add (files, g_strdup (name));
  g_ptr_array_sort (files, compare_strings);
  return g_steal_pointer (&files);
}

/* testing.xml (dlib's imglab format) -> the labelled face boxes of one image. */
typedef struct
{
  const char *want;
  gboolean in_image;
  GArray *boxes;
} XmlState;

static void
xml_start (GMarkupParseContext *context, const char *element, const char **names,
           const char **values, gpointer user_data, GError **error)
{
  XmlState *state = user_data;

  if (g_str_equal (element, "image"))
    {
      state->in_image = FALSE;
      for (guint i = 0; names[i] != NULL; i++)
        if (g_str_equal (names[i], "file") && g_str_equal (values[i], state->want))
          state->in_image = TRUE;
    }
  else if (g_str_equal (element, "box") && state->in_image)
    {
      Box box = { 0 };

      for (guint i = 0; names[i] != NULL; i++)
        {
          double v = g_ascii_strtod (values[i], NULL);

          if (g_str_equal (names[i], "left"))
            box.x = v;
          else if (g_str_equal (names[i], "top"))
            box.y = v;
          else if (g_str_equal (names[i], "width"))
            box.w = v;
          else if (g_str_equal (names[i], "height"))
            box.h = v;
        }
      g_array_append_val (state->boxes, box);
    }
}

static void
xml_end (GMarkupParseContext *context, const char *element, gpointer user_data, GError **error)
{
  XmlState *state = user_data;

  if (g_str_equal (element, "image"))
    state->in_image = FALSE;
}

static GArray *
load_labelled_boxes (const char *xml_path, const char *image, GError **error)
{
  static const GMarkupParser parser = { xml_start, xml_end, NULL, NULL, NULL };
  g_autofree char *text = NULL;
  gsize len;
  g_autoptr(GArray) boxes = g_array_new (FALSE, TRUE, sizeof (Box));
  XmlState state = { image, FALSE, boxes };
  g_autoptr(GMarkupParseContext) context = NULL;

  if (!g_file_get_contents (xml_path, &text, &len, error))
    return NULL;
  context = g_markup_parse_context_new (&parser, 0, &state, NULL);
  if (!g_markup_parse_context_parse (context, text, len, error) ||
      !g_markup_parse_context_end_parse (context, error))
    return NULL;
  if (boxes->len == 0)
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT, "%s has no boxes for %s",
                   xml_path, image);
      return NULL;
    }
  return g_steal_pointer (&boxes);
}

static const ChipFace *
find_chip_face (const char *person, const char *file)
{
  g_autofree char *key = g_strdup_printf ("%s/%s", person, file);

  for (guint i = 0; i < G_N_ELEMENTS (chip_faces); i++)
    if (g_str_equal (chip_faces[i].file, key))
      return &chip_faces[i];
  return &chip_face_mean;
}

/* The photo scaled to w x h with a BORDER-px light frame around it. */
static GdkPixbuf *
make_card (GdkPixbuf *photo, int w, int h)
{
  g_autoptr(GdkPixbuf) scaled = gdk_pixbuf_scale_simple (photo, w, h, GDK_INTERP_BILINEAR);
  g_autoptr(GdkPixbuf) card = NULL;

  card = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, w + 2 * BORDER, h + 2 * BORDER);
  if (scaled == NULL || card == NULL)
    return NULL;
  gdk_pixbuf_fill (card, 0xf2f2f2ff);
  gdk_pixbuf_copy_area (scaled, 0, 0, w, h, card, BORDER, BORDER);
  return g_steal_pointer (&card);
}

static GdkPixbuf *
load_rgb (const char *path, GError **error)
{
  g_autoptr(GdkPixbuf) pixbuf = gdk_pixbuf_new_from_file (path, error);

  if (pixbuf == NULL)
    return NULL;
  /* Cards are copied into an RGB frame: drop any alpha. */
  if (gdk_pixbuf_get_has_alpha (pixbuf))
    {
      GdkPixbuf *rgb = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8,
                                       gdk_pixbuf_get_width (pixbuf),
                                       gdk_pixbuf_get_height (pixbuf));

      gdk_pixbuf_composite_color (pixbuf, rgb, 0, 0, gdk_pixbuf_get_width (pixbuf),
                                  gdk_pixbuf_get_height (pixbuf), 0, 0, 1, 1,
                                  GDK_INTERP_NEAREST, 255, 0, 0, 1, 0xffffff, 0xffffff);
      return rgb;
    }
  return g_steal_pointer (&pixbuf);
}

static void
note_used_photo (Generator *gen, const char *person, const char *file)
{
  GPtrArray *files = g_hash_table_lookup (gen->used_photos, person);

  if (files == NULL)
    {
      files = g_ptr_array_new_with_free_func (g_free);
      g_hash_table_insert (gen->used_photos, g_strdup (person), files);
      g_ptr_array_add (gen->person_order, g_strdup (person));
    }
  for (guint i = 0; i < files->len; i++)
    if (g_str_equal (files->pdata[i], file))
      return;
  g_ptr_array_add (files, g_strdup (file));
  g_ptr_array_sort (files, compare_strings);
}

/* The background photo scaled to fill the 16:9 frame from 4:3: fit the width, keep the
 * middle band. */
static GdkPixbuf *
load_background (const char *path, GError **error)
{
  g_autoptr(GdkPixbuf) photo = load_rgb (path, error);
  g_autoptr(GdkPixbuf) bg = NULL;
  double scale;

  if (photo == NULL)
    return NULL;
  bg = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, WIDTH, HEIGHT);
  scale = MAX ((double) WIDTH / gdk_pixbuf_get_width (photo),
               (double) HEIGHT / gdk_pixbuf_get_height (photo));
  gdk_pixbuf_scale (photo, bg, 0, 0, WIDTH, HEIGHT,
                    (WIDTH - gdk_pixbuf_get_width (photo) * scale) / 2,
                    (HEIGHT - gdk_pixbuf_get_height (photo) * scale) / 2,
                    scale, scale, GDK_INTERP_BILINEAR);
  return g_steal_pointer (&bg);
}

static gboolean
load_inputs (Generator *gen, GError **error)
{
  g_autofree char *bg_path = g_build_filename (gen->photos_dir, "video_frames", BACKGROUND_FRAME,
                                               NULL);
  g_autofree char *xml_path = g_build_filename (gen->photos_dir, "faces", "testing.xml", NULL);
  g_autofree char *group_path = g_build_filename (gen->photos_dir, "faces", GROUP_PHOTO, NULL);
  g_autoptr(GHashTable) appearances = g_hash_table_new (g_str_hash, g_str_equal);

  gen->bg = load_background (bg_path, error);
  if (gen->bg == NULL)
    return FALSE;

  for (guint i = 0; i < G_N_ELEMENTS (timeline); i++)
    {
      const Appearance *spec = &timeline[i];
      Item *item = g_new0 (Item, 1);
      g_autoptr(GdkPixbuf) photo = NULL;
      g_autofree char *path = NULL;
      int n;

      item->spec = spec;
      item->first_frame = item->last_frame = -1;
      item->faces = g_array_new (FALSE, TRUE, sizeof (Box));
      g_ptr_array_add (gen->items, item);

      if (spec->person != NULL)
        {
          g_autofree char *dir = g_build_filename (gen->photos_dir, "johns", spec->person, NULL);
          g_autoptr(GPtrArray) files = list_jpegs (dir, error);
          const ChipFace *face;
          Box box;

          if (files == NULL)
            return FALSE;
          if (files->len < PHOTOS_PER_PERSON)
            {
              g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT,
                           "%s holds %u photos, expected at least %d", dir, files->len,
                           PHOTOS_PER_PERSON);
              return FALSE;
            }
          g_assert (spec->photo < PHOTOS_PER_PERSON);
          item->person = g_strdup (spec->person);
          item->photo = g_strdup (files->pdata[spec->photo]);
          path = g_build_filename (dir, item->photo, NULL);
          photo = load_rgb (path, error);
          if (photo == NULL)
            return FALSE;
          item->scale = (double) spec->size / gdk_pixbuf_get_width (photo);
          item->card = make_card (photo, spec->size, spec->size);
          face = find_chip_face (spec->person, item->photo);
          /* The table is in 150-px chip pixels; the photo may differ in size. */
          box.x = face->x * gdk_pixbuf_get_width (photo) / CHIP_SIZE;
          box.y = face->y * gdk_pixbuf_get_height (photo) / CHIP_SIZE;
          box.w = face->w * gdk_pixbuf_get_width (photo) / CHIP_SIZE;
          box.h = face->h * gdk_pixbuf_get_height (photo) / CHIP_SIZE;
          g_array_append_val (item->faces, box);
          note_used_photo (gen, item->person, item->photo);
        }
      else
        {
          g_autoptr(GArray) boxes = load_labelled_boxes (xml_path, GROUP_PHOTO, error);

          if (boxes == NULL)
            return FALSE;
          item->person = g_strdup ("group");
          item->photo = g_strdup (GROUP_PHOTO);
          photo = load_rgb (group_path, error);
          if (photo == NULL)
            return FALSE;
          item->scale = GROUP_SCALE;
          item->card = make_card (photo, (int) round (gdk_pixbuf_get_width (photo) * GROUP_SCALE),
                                  (int) round (gdk_pixbuf_get_height (photo) * GROUP_SCALE));
          g_array_append_vals (item->faces, boxes->data, boxes->len);
        }
      if (item->card == NULL)
        {
          g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_NOMEM, "cannot scale %s", item->photo);
          return FALSE;
        }
      n = GPOINTER_TO_INT (g_hash_table_lookup (appearances, item->person));
      g_hash_table_insert (appearances, item->person, GINT_TO_POINTER (n + 1));
      item->id = g_strdup_printf ("%s#%d", item->person, n);
    }
  return TRUE;
}

static int
item_start (const Item *item)
{
  return item->spec->keys[0].frame;
}

static int
item_end (const Item *item)
{
  int end = 0;

  for (guint k = 0; k < MAX_KEYS && (k == 0 || item->spec->keys[k].frame > 0); k++)
    end = item->spec->keys[k].frame;
  return end;
}

/* Top-left of the photo at this frame, on whole pixels (what is drawn is what the truth says).
 * FALSE when the card is not on stage at this frame. */
static gboolean
item_position (const Item *item, int frame, int *x, int *y)
{
  const Key *keys = item->spec->keys;

  if (frame < item_start (item) || frame > item_end (item))
    return FALSE;
  for (guint k = 0; k + 1 < MAX_KEYS && keys[k + 1].frame > 0; k++)
    if (frame <= keys[k + 1].frame)
      {
        double t = (double) (frame - keys[k].frame) / (keys[k + 1].frame - keys[k].frame);

        *x = (int) round (keys[k].x + t * (keys[k + 1].x - keys[k].x));
        *y = (int) round (keys[k].y + t * (keys[k + 1].y - keys[k].y));
        return TRUE;
      }
  *x = (int) round (keys[0].x);
  *y = (int) round (keys[0].y);
  return TRUE;
}

/* The timeline is hand-written: refuse one whose cards overlap (a hidden face would make the
 * truth wrong) or move slower than MIN_SPEED. */
static gboolean
check_timeline (Generator *gen, GError **error)
{
  for (guint i = 0; i < gen->items->len; i++)
    {
      const Item *item = gen->items->pdata[i];
      const Key *keys = item->spec->keys;

      for (guint k = 0; k + 1 < MAX_KEYS && keys[k + 1].frame > 0; k++)
        {
          double dist = hypot (keys[k + 1].x - keys[k].x, keys[k + 1].y - keys[k].y);
          double speed = dist / (keys[k + 1].frame - keys[k].frame);

          if (keys[k + 1].frame <= keys[k].frame || (dist > 0 && speed < MIN_SPEED))
            {
              g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           "timeline: %s key %u is too slow (%.1f px/frame) or out of order",
                           item->id, k, speed);
              return FALSE;
            }
        }
      if (item_end (item) >= N_FRAMES)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                       "timeline: %s ends after the last frame", item->id);
          return FALSE;
        }
    }

  for (int f = 0; f < N_FRAMES; f++)
    for (guint i = 0; i < gen->items->len; i++)
      for (guint j = i + 1; j < gen->items->len; j++)
        {
          const Item *a = gen->items->pdata[i], *b = gen->items->pdata[j];
          Rect ra, rb, frame = { 0, 0, WIDTH, HEIGHT };
          int ax, ay, bx, by;

          if (!item_position (a, f, &ax, &ay) || !item_position (b, f, &bx, &by))
            continue;
          ra = (Rect) { ax - BORDER, ay - BORDER, gdk_pixbuf_get_width (a->card),
                                gdk_pixbuf_get_height (a->card) };
          rb = (Rect) { bx - BORDER, by - BORDER, gdk_pixbuf_get_width (b->card),
                                gdk_pixbuf_get_height (b->card) };
          if (rect_intersect (&ra, &frame, &ra) &&
              rect_intersect (&rb, &frame, &rb) &&
              rect_intersect (&ra, &rb, NULL))
            {
              g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           "timeline: %s and %s overlap at frame %d", a->id, b->id, f);
              return FALSE;
            }
        }
  return TRUE;
}

/* JSON numbers: exact binary fractions print short (12.3 would print as 12.300000000000001). */
static double
quantize (double v, double steps)
{
  return round (v * steps) / steps;
}

/* A johns card is one face: person#appearance. Each face of the group photo is its own track
 * (group#0, group#1, group#2, in testing.xml's order). */
static char *
face_id (const Item *item, guint face_index)
{
  if (item->spec->person != NULL)
    return g_strdup (item->id);
  return g_strdup_printf ("group#%u", face_index);
}

static void
add_face_truth (JsonBuilder *builder, Item *item, guint face_index, int frame, int x, int y)
{
  const Box *box = &g_array_index (item->faces, Box, face_index);
  double fx = x + box->x * item->scale;
  double fy = y + box->y * item->scale;
  double fw = box->w * item->scale;
  double fh = box->h * item->scale;
  double ix = MAX (0.0, MIN (fx + fw, WIDTH) - MAX (fx, 0.0));
  double iy = MAX (0.0, MIN (fy + fh, HEIGHT) - MAX (fy, 0.0));
  double visible = ix * iy / (fw * fh);
  g_autofree char *id = NULL;

  if (visible <= 0)
    return;
  id = face_id (item, face_index);
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "id");
  json_builder_add_string_value (builder, id);
  json_builder_set_member_name (builder, "person");
  json_builder_add_string_value (builder, item->person);
  json_builder_set_member_name (builder, "x");
  json_builder_add_double_value (builder, quantize (fx, 16));
  json_builder_set_member_name (builder, "y");
  json_builder_add_double_value (builder, quantize (fy, 16));
  json_builder_set_member_name (builder, "w");
  json_builder_add_double_value (builder, quantize (fw, 16));
  json_builder_set_member_name (builder, "h");
  json_builder_add_double_value (builder, quantize (fh, 16));
  json_builder_set_member_name (builder, "visible");
  json_builder_add_double_value (builder, quantize (visible, 1024));
  json_builder_end_object (builder);

  if (item->first_frame < 0)
    item->first_frame = frame;
  item->last_frame = frame;
}

static JsonNode *
build_truth (Generator *gen)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "width");
  json_builder_add_int_value (builder, WIDTH);
  json_builder_set_member_name (builder, "height");
  json_builder_add_int_value (builder, HEIGHT);
  json_builder_set_member_name (builder, "fps_n");
  json_builder_add_int_value (builder, FPS_N);
  json_builder_set_member_name (builder, "fps_d");
  json_builder_add_int_value (builder, FPS_D);
  json_builder_set_member_name (builder, "n_frames");
  json_builder_add_int_value (builder, N_FRAMES);
  json_builder_set_member_name (builder, "duration_ms");
  json_builder_add_int_value (builder, gst_util_uint64_scale (N_FRAMES, 1000 * FPS_D, FPS_N));

  /* The johns photos shown in the video; the person's other photos never appear in it. */
  json_builder_set_member_name (builder, "photos");
  json_builder_begin_object (builder);
  for (guint i = 0; i < gen->person_order->len; i++)
    {
      const char *person = gen->person_order->pdata[i];
      GPtrArray *files = g_hash_table_lookup (gen->used_photos, person);

      json_builder_set_member_name (builder, person);
      json_builder_begin_array (builder);
      for (guint j = 0; j < files->len; j++)
        json_builder_add_string_value (builder, files->pdata[j]);
      json_builder_end_array (builder);
    }
  json_builder_end_object (builder);
  json_builder_set_member_name (builder, "photos_per_person");
  json_builder_add_int_value (builder, PHOTOS_PER_PERSON);
  json_builder_set_member_name (builder, "group_photo");
  json_builder_add_string_value (builder, "faces/" GROUP_PHOTO);
  json_builder_set_member_name (builder, "background");
  json_builder_add_string_value (builder, "video_frames/" BACKGROUND_FRAME);

  json_builder_set_member_name (builder, "frames");
  json_builder_begin_array (builder);
  for (int f = 0; f < N_FRAMES; f++)
    {
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "frame");
      json_builder_add_int_value (builder, f);
      json_builder_set_member_name (builder, "pts_ms");
      json_builder_add_int_value (builder, gst_util_uint64_scale (f, 1000 * FPS_D, FPS_N));
      json_builder_set_member_name (builder, "faces");
      json_builder_begin_array (builder);
      for (guint i = 0; i < gen->items->len; i++)
        {
          Item *item = gen->items->pdata[i];
          int x, y;

          if (item_position (item, f, &x, &y))
            for (guint k = 0; k < item->faces->len; k++)
              add_face_truth (builder, item, k, f, x, y);
        }
      json_builder_end_array (builder);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);

  /* A summary per card, for people reading the file and for tests that want whole tracks. */
  json_builder_set_member_name (builder, "appearances");
  json_builder_begin_array (builder);
  for (guint i = 0; i < gen->items->len; i++)
    {
      const Item *item = gen->items->pdata[i];

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "person");
      json_builder_add_string_value (builder, item->person);
      json_builder_set_member_name (builder, "photo");
      json_builder_add_string_value (builder, item->photo);
      json_builder_set_member_name (builder, "card_width");
      json_builder_add_int_value (builder, gdk_pixbuf_get_width (item->card) - 2 * BORDER);
      json_builder_set_member_name (builder, "card_height");
      json_builder_add_int_value (builder, gdk_pixbuf_get_height (item->card) - 2 * BORDER);
      json_builder_set_member_name (builder, "first_frame");
      json_builder_add_int_value (builder, item->first_frame);
      json_builder_set_member_name (builder, "last_frame");
      json_builder_add_int_value (builder, item->last_frame);
      json_builder_set_member_name (builder, "faces");
      json_builder_begin_array (builder);
      for (guint k = 0; k < item->faces->len; k++)
        {
          const Box *box = &g_array_index (item->faces, Box, k);
          g_autofree char *id = face_id (item, k);

          json_builder_begin_object (builder);
          json_builder_set_member_name (builder, "id");
          json_builder_add_string_value (builder, id);
          json_builder_set_member_name (builder, "w");
          json_builder_add_double_value (builder, quantize (box->w * item->scale, 16));
          json_builder_set_member_name (builder, "h");
          json_builder_add_double_value (builder, quantize (box->h * item->scale, 16));
          json_builder_end_object (builder);
        }
      json_builder_end_array (builder);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

/* Copies src onto dst at (x, y), clipped to dst. */
static void
blit (GdkPixbuf *src, GdkPixbuf *dst, int x, int y)
{
  Rect s = { x, y, gdk_pixbuf_get_width (src), gdk_pixbuf_get_height (src) };
  Rect d = { 0, 0, gdk_pixbuf_get_width (dst), gdk_pixbuf_get_height (dst) };
  Rect r;

  if (rect_intersect (&s, &d, &r))
    gdk_pixbuf_copy_area (src, r.x - x, r.y - y, r.w, r.h, dst, r.x, r.y);
}

/* appsrc's streaming thread asks for the next frame. */
static void
need_data (GstAppSrc *src, guint length, gpointer user_data)
{
  Generator *gen = user_data;
  g_autoptr(GdkPixbuf) canvas = NULL;
  GstBuffer *buffer;
  GstMapInfo map;
  int f = gen->frame;

  if (f >= N_FRAMES)
    {
      gst_app_src_end_of_stream (src);
      return;
    }

  buffer = gst_buffer_new_allocate (NULL, WIDTH * HEIGHT * 3, NULL);
  gst_buffer_map (buffer, &map, GST_MAP_WRITE);
  /* RGB rows of 1280 px are 4-byte aligned, so GStreamer's stride is exactly WIDTH * 3. */
  canvas = gdk_pixbuf_new_from_data (map.data, GDK_COLORSPACE_RGB, FALSE, 8, WIDTH, HEIGHT,
                                     WIDTH * 3, NULL, NULL);
  gdk_pixbuf_copy_area (gen->bg, 0, 0, WIDTH, HEIGHT, canvas, 0, 0);
  for (guint i = 0; i < gen->items->len; i++)
    {
      const Item *item = gen->items->pdata[i];
      int x, y;

      if (item_position (item, f, &x, &y))
        blit (item->card, canvas, x - BORDER, y - BORDER);
    }
  g_clear_object (&canvas);
  gst_buffer_unmap (buffer, &map);

  GST_BUFFER_PTS (buffer) = gst_util_uint64_scale (f, GST_SECOND * FPS_D, FPS_N);
  GST_BUFFER_DURATION (buffer) =
    gst_util_uint64_scale (f + 1, GST_SECOND * FPS_D, FPS_N) - GST_BUFFER_PTS (buffer);
  GST_BUFFER_OFFSET (buffer) = f;
  gen->frame++;
  gst_app_src_push_buffer (src, buffer);
}

static gboolean
on_bus_message (GstBus *bus, GstMessage *message, gpointer user_data)
{
  Generator *gen = user_data;

  switch (GST_MESSAGE_TYPE (message))
    {
    case GST_MESSAGE_EOS:
      g_main_loop_quit (gen->loop);
      break;
    case GST_MESSAGE_ERROR:
      {
        g_autoptr(GError) error = NULL;
        g_autofree char *debug = NULL;

        gst_message_parse_error (message, &error, &debug);
        fail ("encoding failed in %s: %s%s%s", GST_OBJECT_NAME (GST_MESSAGE_SRC (message)),
              error->message, debug != NULL ? "\n  " : "", debug != NULL ? debug : "");
        gen->failed = TRUE;
        g_main_loop_quit (gen->loop);
      }
      break;
    default:
      break;
    }
  return G_SOURCE_CONTINUE;
}

static gboolean
encode (Generator *gen, const char *output)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GstElement) pipeline = NULL;
  g_autoptr(GstElement) src = NULL;
  g_autoptr(GstElement) sink = NULL;
  g_autoptr(GstBus) bus = NULL;
  g_autoptr(GstCaps) caps = NULL;
  GstAppSrcCallbacks callbacks = { need_data, NULL, NULL, { NULL } };
  GstStateChangeReturn ret;

  /* veryfast keeps generation in seconds; CRF-like quality 20 keeps faces clean for the
   * detector and the file small (the background is still). A key
   * frame every 2 s keeps seeking quick. */
  pipeline = gst_parse_launch (
    "appsrc name=src format=time is-live=false max-bytes=20000000 ! queue max-size-buffers=4 "
    "! videoconvert n-threads=2 "
    "! x264enc speed-preset=veryfast key-int-max=50 pass=qual quantizer=20 "
    "! video/x-h264,profile=high ! h264parse ! mp4mux faststart=true ! filesink name=sink",
    &error);
  if (pipeline == NULL)
    {
      fail ("cannot build the GStreamer pipeline: %s (needs gstreamer1.0-plugins-ugly for "
            "x264enc and -good for mp4mux)", error->message);
      return FALSE;
    }
  src = gst_bin_get_by_name (GST_BIN (pipeline), "src");
  sink = gst_bin_get_by_name (GST_BIN (pipeline), "sink");
  caps = gst_caps_new_simple ("video/x-raw", "format", G_TYPE_STRING, "RGB",
                              "width", G_TYPE_INT, WIDTH, "height", G_TYPE_INT, HEIGHT,
                              "framerate", GST_TYPE_FRACTION, FPS_N, FPS_D,
                              "pixel-aspect-ratio", GST_TYPE_FRACTION, 1, 1, NULL);
  gst_app_src_set_caps (GST_APP_SRC (src), caps);
  gst_app_src_set_callbacks (GST_APP_SRC (src), &callbacks, gen, NULL);
  g_object_set (sink, "location", output, NULL);

  gen->loop = g_main_loop_new (NULL, FALSE);
  bus = gst_element_get_bus (pipeline);
  gst_bus_add_watch (bus, on_bus_message, gen);
  ret = gst_element_set_state (pipeline, GST_STATE_PLAYING);
  if (ret != GST_STATE_CHANGE_FAILURE)
    g_main_loop_run (gen->loop);
  else
    {
      /* The reason is on the bus. */
      g_autoptr(GstMessage) message = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR);

      if (message != NULL)
        on_bus_message (bus, message, gen);
      else
        fail ("cannot start the encoder writing %s", output);
      gen->failed = TRUE;
    }
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_bus_remove_watch (bus);
  g_clear_pointer (&gen->loop, g_main_loop_unref);
  if (!gen->failed && gen->frame != N_FRAMES)
    {
      fail ("encoder stopped after %d of %d frames", gen->frame, N_FRAMES);
      gen->failed = TRUE;
    }
  return !gen->failed;
}

static gboolean
photos_present (const char *dir)
{
  const char *needed[] = { "johns", "video_frames/" BACKGROUND_FRAME, "faces/testing.xml", "faces/" GROUP_PHOTO };

  for (guint i = 0; i < G_N_ELEMENTS (needed); i++)
    {
      g_autofree char *path = g_build_filename (dir, needed[i], NULL);

      if (!g_file_test (path, G_FILE_TEST_EXISTS))
        return FALSE;
    }
  return TRUE;
}

int
main (int argc, char **argv)
{
  g_autofree char *photos_dir = NULL;
  g_autofree char *output = NULL;
  g_autofree char *truth = NULL;
  GOptionEntry entries[] = {
    { "photos", 0, 0, G_OPTION_ARG_FILENAME, &photos_dir,
      "libdlib19.1 examples folder", "DIR" },
    { "output", 0, 0, G_OPTION_ARG_FILENAME, &output, "MP4 file to write", "FILE" },
    { "truth", 0, 0, G_OPTION_ARG_FILENAME, &truth, "ground-truth JSON to write", "FILE" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("- make Attest's sample video");
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(JsonGenerator) generator = NULL;
  g_autofree char *json = NULL;
  gsize json_len;
  Generator gen = { 0 };
  gint64 start = g_get_monotonic_time ();
  int status = 1;

  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_add_group (context, gst_init_get_option_group ());
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      fail ("%s", error->message);
      return 2;
    }
  if (photos_dir == NULL || output == NULL || truth == NULL)
    {
      fail ("usage: attest-make-sample --photos DIR --output FILE.mp4 --truth FILE.json");
      return 2;
    }
  if (!photos_present (photos_dir))
    {
      fail ("libdlib19.1 photos not found in %s: apt-get install libdlib19.1", photos_dir);
      return 1;
    }

  gen.photos_dir = photos_dir;
  gen.items = g_ptr_array_new_with_free_func (item_free);
  gen.used_photos = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                           (GDestroyNotify) g_ptr_array_unref);
  gen.person_order = g_ptr_array_new_with_free_func (g_free);

  if (!load_inputs (&gen, &error))
    {
      fail ("cannot read the photos in %s: %s", photos_dir, error->message);
      goto out;
    }
  if (!check_timeline (&gen, &error))
    {
      fail ("%s", error->message);
      goto out;
    }

  /* The truth first (it also records each card's first and last frame), written only once
   * the video is good, so a failed run leaves no half-made pair behind. */
  root = build_truth (&gen);
  generator = json_generator_new ();
  json_generator_set_root (generator, root);
  json = json_generator_to_data (generator, &json_len);

  if (!encode (&gen, output))
    {
      g_unlink (output);
      goto out;
    }
  if (!g_file_set_contents (truth, json, json_len, &error))
    {
      fail ("cannot write %s: %s", truth, error->message);
      g_unlink (output);
      goto out;
    }
  printf ("attest-make-sample: %d frames (%.1f s) in %.1f s -> %s\n", N_FRAMES,
          (double) N_FRAMES * FPS_D / FPS_N, (g_get_monotonic_time () - start) / 1e6, output);
  status = 0;

out:
  g_clear_object (&gen.bg);
  g_clear_pointer (&gen.items, g_ptr_array_unref);
  g_clear_pointer (&gen.used_photos, g_hash_table_unref);
  g_clear_pointer (&gen.person_order, g_ptr_array_unref);
  return status;
}
