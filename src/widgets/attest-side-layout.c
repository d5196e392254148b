/* attest-side-layout.c: a main widget with a side panel beside it or below it. */
#include "config.h"

#include "attest-side-layout.h"

/* Narrower than this, the panel goes below. */
#define DEFAULT_BREAKPOINT 720
/* Beside: the panel's share of the width at most. */
#define SIDE_MAX_FRACTION  (1.0 / 3.0)
/* Below: the panel's share of the height at most. */
#define BELOW_MAX_FRACTION 0.45

struct _AttestSideLayout
{
  GtkLayoutManager parent_instance;

  int      breakpoint;
  int      side_width;    /* the panel's wish when there is room (-1: its natural width) */
  gboolean side_first;
  gboolean stacked;
};

enum
{
  PROP_0,
  PROP_BREAKPOINT,
  PROP_SIDE_FIRST,
  PROP_SIDE_WIDTH,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (AttestSideLayout, attest_side_layout, GTK_TYPE_LAYOUT_MANAGER)

static void
get_children (AttestSideLayout  *self,
              GtkWidget         *widget,
              GtkWidget        **main_child,
              GtkWidget        **side)
{
  GtkWidget *first = gtk_widget_get_first_child (widget);
  GtkWidget *second = first != NULL ? gtk_widget_get_next_sibling (first) : NULL;

  *main_child = self->side_first ? second : first;
  *side = self->side_first ? first : second;
  if (*main_child != NULL && !gtk_widget_should_layout (*main_child))
    *main_child = NULL;
  if (*side != NULL && !gtk_widget_should_layout (*side))
    *side = NULL;
}

static void
measure_child (GtkWidget      *child,
               GtkOrientation  orientation,
               int             for_size,
               int            *minimum,
               int            *natural)
{
  *minimum = *natural = 0;
  if (child != NULL)
    gtk_widget_measure (child, orientation, for_size, minimum, natural, NULL, NULL);
}

static void
attest_side_layout_measure (GtkLayoutManager *manager,
                            GtkWidget        *widget,
                            GtkOrientation    orientation,
                            int               for_size,
                            int              *minimum,
                            int              *natural,
                            int              *minimum_baseline,
                            int              *natural_baseline)
{
  GtkWidget *main_child, *side;
  int main_min, main_nat, side_min, side_nat;

  get_children (ATTEST_SIDE_LAYOUT (manager), widget, &main_child, &side);
  /* Sizes for either arrangement: the minimum is that of the panel below (the narrowest),
   * the natural one that of the panel beside. */
  measure_child (main_child, orientation, -1, &main_min, &main_nat);
  measure_child (side, orientation, -1, &side_min, &side_nat);
  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      *minimum = MAX (main_min, side_min);
      *natural = main_nat + side_nat;
    }
  else
    {
      *minimum = main_min + side_min;
      *natural = MAX (MAX (main_nat, side_nat), *minimum);
    }
}

static void
attest_side_layout_allocate (GtkLayoutManager *manager,
                             GtkWidget        *widget,
                             int               width,
                             int               height,
                             int               baseline)
{
  AttestSideLayout *self = ATTEST_SIDE_LAYOUT (manager);
  GtkWidget *main_child, *side;
  int side_min = 0, side_nat = 0;

  get_children (self, widget, &main_child, &side);
  measure_child (side, GTK_ORIENTATION_HORIZONTAL, -1, &side_min, &side_nat);

  self->stacked = side != NULL && side_nat > 0 && width < self->breakpoint;
  if (side == NULL || side_nat == 0)
    {
      if (main_child != NULL)
        gtk_widget_allocate (main_child, width, height, -1, NULL);
      if (side != NULL)
        gtk_widget_allocate (side, 0, height, -1,
                             gsk_transform_translate (NULL, &GRAPHENE_POINT_INIT (width, 0)));
      return;
    }

  if (!self->stacked)
    {
      int wish = MAX (side_nat, self->side_width);
      int side_width = MIN (wish, MAX (side_min, (int) (width * SIDE_MAX_FRACTION)));
      int main_width = MAX (width - side_width, 0);
      int main_x = self->side_first ? side_width : 0;
      int side_x = self->side_first ? 0 : main_width;

      if (main_child != NULL)
        gtk_widget_allocate (main_child, main_width, height, -1,
                             gsk_transform_translate (NULL, &GRAPHENE_POINT_INIT (main_x, 0)));
      gtk_widget_allocate (side, side_width, height, -1,
                           gsk_transform_translate (NULL, &GRAPHENE_POINT_INIT (side_x, 0)));
    }
  else
    {
      int below_min, below_nat, main_min, main_nat, side_height, main_height;

      measure_child (side, GTK_ORIENTATION_VERTICAL, width, &below_min, &below_nat);
      measure_child (main_child, GTK_ORIENTATION_VERTICAL, width, &main_min, &main_nat);
      /* A scrolled panel's natural height says little (its content scrolls): below, the
       * panel gets its share of the height, whatever it asks for, and at least its
       * minimum; the main widget keeps at least its own. */
      side_height = MAX (below_min, (int) (height * BELOW_MAX_FRACTION));
      side_height = MIN (side_height, MAX (height - main_min, below_min));
      main_height = MAX (height - side_height, 0);
      if (main_child != NULL)
        gtk_widget_allocate (main_child, width, main_height, -1, NULL);
      gtk_widget_allocate (side, width, side_height, -1,
                           gsk_transform_translate (NULL, &GRAPHENE_POINT_INIT (0, main_height)));
    }
}

static GtkSizeRequestMode
attest_side_layout_get_request_mode (GtkLayoutManager *manager,
                                     GtkWidget        *widget)
{
  return GTK_SIZE_REQUEST_CONSTANT_SIZE;
}

static void
attest_side_layout_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  AttestSideLayout *self = ATTEST_SIDE_LAYOUT (object);

  switch (prop_id)
    {
    case PROP_BREAKPOINT:
      g_value_set_int (value, self->breakpoint);
      break;
    case PROP_SIDE_FIRST:
      g_value_set_boolean (value, self->side_first);
      break;
    case PROP_SIDE_WIDTH:
      g_value_set_int (value, self->side_width);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
attest_side_layout_set_property (GObject      *object,
                                 guint         prop_id,
                                 const GValue *value,
                                 GParamSpec   *pspec)
{
  AttestSideLayout *self = ATTEST_SIDE_LAYOUT (object);

  switch (prop_id)
    {
    case PROP_BREAKPOINT:
      self->breakpoint = g_value_get_int (value);
      gtk_layout_manager_layout_changed (GTK_LAYOUT_MANAGER (self));
      break;
    case PROP_SIDE_FIRST:
      self->side_first = g_value_get_boolean (value);
      gtk_layout_manager_layout_changed (GTK_LAYOUT_MANAGER (self));
      break;
    case PROP_SIDE_WIDTH:
      self->side_width = g_value_get_int (value);
      gtk_layout_manager_layout_changed (GTK_LAYOUT_MANAGER (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
attest_side_layout_class_init (AttestSideLayoutClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkLayoutManagerClass *layout_class = GTK_LAYOUT_MANAGER_CLASS (klass);

  object_class->get_property = attest_side_layout_get_property;
  object_class->set_property = attest_side_layout_set_property;
  layout_class->measure = attest_side_layout_measure;
  layout_class->allocate = attest_side_layout_allocate;
  layout_class->get_request_mode = attest_side_layout_get_request_mode;

  /* Narrower than this (pixels), the panel goes below the main widget. */
  properties[PROP_BREAKPOINT] =
    g_param_spec_int ("breakpoint", NULL, NULL, 0, G_MAXINT, DEFAULT_BREAKPOINT,
                      G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* The first child is the panel, placed at the start (left) when beside; the second is
   * the main widget. Below the breakpoint the panel still goes below. */
  properties[PROP_SIDE_FIRST] =
    g_param_spec_boolean ("side-first", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* Beside, the panel's width when a third of the window allows it (a scrolled panel's
   * natural width is only its minimum); -1: its natural width. */
  properties[PROP_SIDE_WIDTH] =
    g_param_spec_int ("side-width", NULL, NULL, -1, G_MAXINT, -1,
                      G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
attest_side_layout_init (AttestSideLayout *self)
{
  self->breakpoint = DEFAULT_BREAKPOINT;
  self->side_width = -1;
}

GtkLayoutManager *
attest_side_layout_new (void)
{
  return g_object_new (ATTEST_TYPE_SIDE_LAYOUT, NULL);
}

gboolean
attest_side_layout_get_stacked (AttestSideLayout *self)
{
  g_return_val_if_fail (ATTEST_IS_SIDE_LAYOUT (self), FALSE);

  return self->stacked;
}
