/* attest-wrap-layout.c: a row of children that wraps. */
#include "config.h"

#include "attest-wrap-layout.h"

struct _AttestWrapLayout
{
  GtkLayoutManager parent_instance;

  int spacing;
};

enum
{
  PROP_0,
  PROP_SPACING,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (AttestWrapLayout, attest_wrap_layout, GTK_TYPE_LAYOUT_MANAGER)

typedef struct
{
  GtkWidget *widget;
  int        width;    /* natural, at most the whole width */
  int        height;   /* natural, for that width */
  gboolean   expands;
} Item;

/* The children that take part, with their natural sizes for a row `width` wide. */
static GArray *
collect (GtkWidget *widget,
         int        width)
{
  GArray *items = g_array_new (FALSE, FALSE, sizeof (Item));

  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      Item item = { child, 0, 0, FALSE };
      int min = 0;

      if (!gtk_widget_should_layout (child))
        continue;
      gtk_widget_measure (child, GTK_ORIENTATION_HORIZONTAL, -1, &min, &item.width, NULL, NULL);
      if (width >= 0)
        item.width = MAX (min, MIN (item.width, width));
      gtk_widget_measure (child, GTK_ORIENTATION_VERTICAL, item.width, NULL, &item.height,
                          NULL, NULL);
      item.expands = gtk_widget_compute_expand (child, GTK_ORIENTATION_HORIZONTAL);
      g_array_append_val (items, item);
    }
  return items;
}

/* Lays the items out in rows within `width` (negative: one row). Calls `place` for each
 * item when given; returns the total height. */
static int
flow (AttestWrapLayout *self,
      GArray           *items,
      int               width,
      gboolean          place)
{
  int y = 0;
  guint start = 0;

  while (start < items->len)
    {
      guint end = start;
      int used = 0, row_height = 0, n_expand = 0, spare, x;

      /* As many as fit (at least one). */
      while (end < items->len)
        {
          Item *item = &g_array_index (items, Item, end);
          int need = used + (end > start ? self->spacing : 0) + item->width;

          if (width >= 0 && end > start && need > width)
            break;
          used = need;
          row_height = MAX (row_height, item->height);
          n_expand += item->expands;
          end++;
        }
      spare = width >= 0 ? MAX (width - used, 0) : 0;
      if (place)
        {
          /* The spare width to the expanding children, or after the row. */
          x = 0;
          for (guint i = start; i < end; i++)
            {
              Item *item = &g_array_index (items, Item, i);
              int w = item->width + (item->expands ? spare / n_expand : 0);

              gtk_widget_allocate (item->widget, w, row_height, -1,
                                   gsk_transform_translate (NULL, &GRAPHENE_POINT_INIT (x, y)));
              x += w + self->spacing;
            }
        }
      y += row_height + self->spacing;
      start = end;
    }
  return MAX (y - self->spacing, 0);
}

static void
attest_wrap_layout_measure (GtkLayoutManager *manager,
                            GtkWidget        *widget,
                            GtkOrientation    orientation,
                            int               for_size,
                            int              *minimum,
                            int              *natural,
                            int              *minimum_baseline,
                            int              *natural_baseline)
{
  AttestWrapLayout *self = ATTEST_WRAP_LAYOUT (manager);

  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      int min = 0, nat = 0, n = 0;

      /* The widest child alone, or all of them in one row. */
      for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
           child = gtk_widget_get_next_sibling (child))
        {
          int child_min = 0, child_nat = 0;

          if (!gtk_widget_should_layout (child))
            continue;
          gtk_widget_measure (child, GTK_ORIENTATION_HORIZONTAL, -1, &child_min, &child_nat,
                              NULL, NULL);
          min = MAX (min, child_min);
          nat += child_nat + (n++ > 0 ? self->spacing : 0);
        }
      *minimum = min;
      *natural = MAX (nat, min);
    }
  else
    {
      g_autoptr (GArray) items = collect (widget, for_size);

      *minimum = *natural = flow (self, items, for_size, FALSE);
    }
}

static void
attest_wrap_layout_allocate (GtkLayoutManager *manager,
                             GtkWidget        *widget,
                             int               width,
                             int               height,
                             int               baseline)
{
  g_autoptr (GArray) items = collect (widget, width);

  flow (ATTEST_WRAP_LAYOUT (manager), items, width, TRUE);
}

static GtkSizeRequestMode
attest_wrap_layout_get_request_mode (GtkLayoutManager *manager,
                                     GtkWidget        *widget)
{
  return GTK_SIZE_REQUEST_HEIGHT_FOR_WIDTH;
}

static void
attest_wrap_layout_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  AttestWrapLayout *self = ATTEST_WRAP_LAYOUT (object);

  switch (prop_id)
    {
    case PROP_SPACING:
      g_value_set_int (value, self->spacing);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
attest_wrap_layout_set_property (GObject      *object,
                                 guint         prop_id,
                                 const GValue *value,
                                 GParamSpec   *pspec)
{
  AttestWrapLayout *self = ATTEST_WRAP_LAYOUT (object);

  switch (prop_id)
    {
    case PROP_SPACING:
      self->spacing = g_value_get_int (value);
      gtk_layout_manager_layout_changed (GTK_LAYOUT_MANAGER (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
attest_wrap_layout_class_init (AttestWrapLayoutClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkLayoutManagerClass *layout_class = GTK_LAYOUT_MANAGER_CLASS (klass);

  object_class->get_property = attest_wrap_layout_get_property;
  object_class->set_property = attest_wrap_layout_set_property;
  layout_class->measure = attest_wrap_layout_measure;
  layout_class->allocate = attest_wrap_layout_allocate;
  layout_class->get_request_mode = attest_wrap_layout_get_request_mode;

  /* Pixels between children and between rows. */
  properties[PROP_SPACING] =
    g_param_spec_int ("spacing", NULL, NULL, 0, G_MAXINT, 6,
                      G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
attest_wrap_layout_init (AttestWrapLayout *self)
{
  self->spacing = 6;
}

GtkLayoutManager *
attest_wrap_layout_new (int spacing)
{
  return g_object_new (ATTEST_TYPE_WRAP_LAYOUT, "spacing", spacing, NULL);
}
