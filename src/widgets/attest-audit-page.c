/* attest-audit-page.c: see attest-audit-page.h.
 *
 * Model: a GListStore of AttestAuditItem, newest first, under a GtkFilterListModel whose
 * GtkCustomFilter applies the action, reviewer and search filters. The column view's cells are
 * built by GtkSignalListItemFactory callbacks (one pair per column). */
#include "config.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

#include "widgets/attest-a11y.h"
#include "widgets/attest-audit-item.h"
#include "widgets/attest-audit-page-private.h"
#include "widgets/attest-match-text.h"
#include "widgets/attest-wrap-layout.h"

struct _AttestAuditPage
{
  AdwBin              parent_instance;

  /* template */
  GtkStack           *stack;
  GtkDropDown        *action_dropdown;
  GtkStringList      *action_labels;
  GtkDropDown        *reviewer_dropdown;
  GtkStringList      *reviewer_labels;
  GtkSearchEntry     *search_entry;
  GtkButton          *verify_button;
  GtkStack           *verify_icon_stack;
  GtkSpinner         *verify_spinner;
  GtkRevealer        *verify_revealer;
  GtkBox             *verify_box;
  GtkImage           *verify_image;
  GtkLabel           *verify_label;
  GtkLabel           *verify_detail;
  GtkStack           *list_stack;
  GtkColumnView      *column_view;
  GtkLabel           *count_label;

  AttestStore        *store;
  GListStore         *entries;
  GtkCustomFilter    *filter;
  GtkFilterListModel *filtered;
  GCancellable       *cancellable;

  char               *action;       /* filter, NULL: all */
  char               *reviewer;     /* filter, NULL: all */
  char               *search;       /* casefolded, NULL: none */
  GPtrArray          *reviewers;    /* names behind reviewer_labels[1..] */
  gboolean            updating_reviewers;

  guint               n_loading;
  gboolean            verifying;
  gboolean            reload_again;
  char               *verify_text;
  guint64             verified_count;
  gint64              broken_id;    /* -1: none known */
};

G_DEFINE_FINAL_TYPE (AttestAuditPage, attest_audit_page, ADW_TYPE_BIN)

enum { PROP_0, PROP_STORE, PROP_BUSY, N_PROPS };
static GParamSpec *properties[N_PROPS];

/* The audit actions, as the store writes them, and their dropdown labels. */
static const struct
{
  const char *action;
  const char *label;
} action_choices[] = {
  { NULL, N_("All Actions") },
  { "enrol", N_("Enrol") },
  { "import", N_("Import") },
  { "rename", N_("Rename") },
  { "merge", N_("Merge") },
  { "unmerge", N_("Undo Merge") },
  { "delete", N_("Delete") },
  { "confirm", N_("Confirm") },
  { "reject", N_("Reject") },
  { "skip", N_("Skip") },
  { "unsure", N_("Unsure") },
  { "undo", N_("Undo") },
  { "export", N_("Export") },
  /* Entries written before the gallery had an installation key, sealed by this one. */
  { "seal", N_("Seal") },
};

/* ---- formatting ---- */

static char *
format_local_time (gint64 us)
{
  g_autoptr (GDateTime) utc = g_date_time_new_from_unix_utc (us / G_USEC_PER_SEC);
  g_autoptr (GDateTime) local = NULL;

  if (utc == NULL)
    return g_strdup ("—");
  local = g_date_time_to_local (utc);
  return g_date_time_format (local, "%Y-%m-%d %H:%M:%S");
}

static char *
format_utc_time (gint64 us)
{
  g_autoptr (GDateTime) seconds = g_date_time_new_from_unix_utc (us / G_USEC_PER_SEC);
  g_autoptr (GDateTime) exact = NULL;

  if (seconds == NULL)
    return g_strdup ("—");
  exact = g_date_time_add (seconds, us % G_USEC_PER_SEC);
  return g_date_time_format_iso8601 (exact);
}

static const char *
action_label (const char *action)
{
  for (guint i = 1; i < G_N_ELEMENTS (action_choices); i++)
    if (g_strcmp0 (action_choices[i].action, action) == 0)
      return _(action_choices[i].label);
  return action != NULL ? action : "—";
}

static char *
pretty_details (const char *details)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (JsonGenerator) generator = NULL;

  if (details == NULL || *details == '\0')
    return g_strdup (_("(none)"));
  if (!json_parser_load_from_data (parser, details, -1, NULL))
    return g_strdup (details);
  generator = json_generator_new ();
  json_generator_set_root (generator, json_parser_get_root (parser));
  json_generator_set_pretty (generator, TRUE);
  return json_generator_to_data (generator, NULL);
}

/* A string member of the details object, or NULL. */
static char *
details_string (const char *details,
                const char *member)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  JsonNode *root;

  if (details == NULL || !json_parser_load_from_data (parser, details, -1, NULL))
    return NULL;
  root = json_parser_get_root (parser);
  if (!JSON_NODE_HOLDS_OBJECT (root))
    return NULL;
  return g_strdup (json_object_get_string_member_with_default (json_node_get_object (root), member, NULL));
}

static char *
score_text (const AttestAuditEntry *e)
{
  if (isnan (e->score))
    return g_strdup ("—");
  if (isnan (e->threshold))
    return g_strdup_printf ("%.2f", e->score);
  return attest_match_text_score (e->score, e->threshold);
}

/* ---- filtering ---- */

static gboolean
contains_folded (const char *haystack,
                 const char *needle)
{
  g_autofree char *folded = NULL;

  if (haystack == NULL)
    return FALSE;
  folded = g_utf8_casefold (haystack, -1);
  return strstr (folded, needle) != NULL;
}

static gboolean
filter_func (gpointer item,
             gpointer user_data)
{
  AttestAuditPage *self = user_data;
  const AttestAuditEntry *e = attest_audit_item_get_entry (item);
  char id[32];

  if (self->action != NULL && g_strcmp0 (e->action, self->action) != 0)
    return FALSE;
  if (self->reviewer != NULL && g_strcmp0 (e->actor, self->reviewer) != 0)
    return FALSE;
  if (self->search == NULL)
    return TRUE;
  g_snprintf (id, sizeof id, "%" G_GINT64_FORMAT, e->id);
  return g_str_equal (id, self->search) ||
         contains_folded (e->actor, self->search) ||
         contains_folded (e->action, self->search) ||
         contains_folded (e->subject, self->search) ||
         contains_folded (e->rationale, self->search) ||
         contains_folded (e->model_id, self->search) ||
         contains_folded (e->source_sha256, self->search) ||
         contains_folded (e->details, self->search) ||
         contains_folded (e->hash, self->search);
}

static void
update_counts (AttestAuditPage *self)
{
  guint total = g_list_model_get_n_items (G_LIST_MODEL (self->entries));
  guint shown = g_list_model_get_n_items (G_LIST_MODEL (self->filtered));
  g_autofree char *text = NULL;

  if (total == 0)
    gtk_stack_set_visible_child_name (self->list_stack, "empty");
  else if (shown == 0)
    gtk_stack_set_visible_child_name (self->list_stack, "none");
  else
    gtk_stack_set_visible_child_name (self->list_stack, "list");

  if (shown == total)
    text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u entry, newest first",
                                         "%u entries, newest first", total), total);
  else
    text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u of %u entry shown, newest first",
                                         "%u of %u entries shown, newest first", total),
                            shown, total);
  gtk_label_set_label (self->count_label, text);
}

static void
refilter (AttestAuditPage *self)
{
  gtk_filter_changed (GTK_FILTER (self->filter), GTK_FILTER_CHANGE_DIFFERENT);
  update_counts (self);
}

static void
on_action_selected (AttestAuditPage *self)
{
  guint i = gtk_drop_down_get_selected (self->action_dropdown);

  g_free (self->action);
  self->action = i < G_N_ELEMENTS (action_choices) ? g_strdup (action_choices[i].action) : NULL;
  refilter (self);
}

static void
on_reviewer_selected (AttestAuditPage *self)
{
  guint i = gtk_drop_down_get_selected (self->reviewer_dropdown);

  if (self->updating_reviewers)
    return;
  g_free (self->reviewer);
  self->reviewer = i >= 1 && i - 1 < self->reviewers->len
                     ? g_strdup (g_ptr_array_index (self->reviewers, i - 1)) : NULL;
  refilter (self);
}

static void
on_search_changed (AttestAuditPage *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->search_entry));
  g_autofree char *stripped = g_strstrip (g_strdup (text));

  g_clear_pointer (&self->search, g_free);
  if (*stripped != '\0')
    self->search = g_utf8_casefold (stripped, -1);
  refilter (self);
}

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return g_utf8_collate (*(const char *const *) a, *(const char *const *) b);
}

/* The reviewer dropdown offers everyone who appears in the log; the choice is kept. */
static void
update_reviewers (AttestAuditPage *self)
{
  g_autoptr (GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  GListModel *model = G_LIST_MODEL (self->entries);
  guint n = g_list_model_get_n_items (model);
  guint old_n = g_list_model_get_n_items (G_LIST_MODEL (self->reviewer_labels));
  guint selected = 0;

  self->updating_reviewers = TRUE;
  g_ptr_array_set_size (self->reviewers, 0);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr (AttestAuditItem) item = g_list_model_get_item (model, i);
      const AttestAuditEntry *e = attest_audit_item_get_entry (item);

      if (e->actor != NULL && !g_hash_table_contains (seen, e->actor))
        {
          g_hash_table_add (seen, e->actor);
          g_ptr_array_add (self->reviewers, g_strdup (e->actor));
        }
    }
  g_ptr_array_sort (self->reviewers, compare_names);
  {
    g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();
    g_auto (GStrv) labels = NULL;

    g_strv_builder_add (builder, _("All Reviewers"));
    for (guint i = 0; i < self->reviewers->len; i++)
      {
        const char *name = g_ptr_array_index (self->reviewers, i);

        g_strv_builder_add (builder, name);
        if (self->reviewer != NULL && g_str_equal (name, self->reviewer))
          selected = i + 1;
      }
    labels = g_strv_builder_end (builder);
    gtk_string_list_splice (self->reviewer_labels, 0, old_n, (const char *const *) labels);
  }
  gtk_drop_down_set_selected (self->reviewer_dropdown, selected);
  if (selected == 0)
    g_clear_pointer (&self->reviewer, g_free);
  self->updating_reviewers = FALSE;
}

/* ---- cells ---- */

typedef enum
{
  COLUMN_ID,
  COLUMN_TIME,
  COLUMN_REVIEWER,
  COLUMN_ACTION,
  COLUMN_SUBJECT,
  COLUMN_SCORE,
  COLUMN_MODEL,
  COLUMN_RATIONALE,
  COLUMN_DETAILS,
} Column;

static void
setup_label (GtkSignalListItemFactory *factory,
             GtkListItem              *list_item,
             gpointer                  user_data)
{
  Column column = GPOINTER_TO_INT (user_data);
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  if (column == COLUMN_SUBJECT || column == COLUMN_MODEL || column == COLUMN_RATIONALE ||
      column == COLUMN_REVIEWER)
    gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  if (column == COLUMN_SUBJECT || column == COLUMN_MODEL)
    gtk_widget_add_css_class (label, "monospace");
  if (column == COLUMN_TIME || column == COLUMN_SCORE || column == COLUMN_ID)
    gtk_widget_add_css_class (label, "numeric");
  if (column == COLUMN_ACTION)
    {
      gtk_widget_add_css_class (label, "attest-action");
      gtk_widget_set_halign (label, GTK_ALIGN_START);
    }
  if (column == COLUMN_ID)
    {
      GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 4);
      GtkWidget *icon = gtk_image_new_from_icon_name ("dialog-error-symbolic");

      gtk_widget_set_tooltip_text (icon, _("The chain breaks at this entry"));
      gtk_widget_add_css_class (icon, "error");
      gtk_widget_set_visible (icon, FALSE);
      gtk_box_append (GTK_BOX (box), icon);
      gtk_box_append (GTK_BOX (box), label);
      g_object_set_data (G_OBJECT (box), "label", label);
      g_object_set_data (G_OBJECT (box), "icon", icon);
      gtk_list_item_set_child (list_item, box);
      return;
    }
  gtk_list_item_set_child (list_item, label);
}

static void
bind_label (GtkSignalListItemFactory *factory,
            GtkListItem              *list_item,
            gpointer                  user_data)
{
  Column column = GPOINTER_TO_INT (user_data);
  AttestAuditItem *item = gtk_list_item_get_item (list_item);
  const AttestAuditEntry *e = attest_audit_item_get_entry (item);
  GtkWidget *child = gtk_list_item_get_child (list_item);
  GtkLabel *label = GTK_LABEL (column == COLUMN_ID ? g_object_get_data (G_OBJECT (child), "label") : child);
  g_autofree char *text = NULL;
  g_autofree char *tooltip = NULL;

  switch (column)
    {
    case COLUMN_ID:
      {
        GtkWidget *icon = g_object_get_data (G_OBJECT (child), "icon");
        GBinding *binding;

        text = g_strdup_printf ("%" G_GINT64_FORMAT, e->id);
        binding = g_object_bind_property (item, "broken", icon, "visible", G_BINDING_SYNC_CREATE);
        g_object_set_data (G_OBJECT (list_item), "binding", binding);
      }
      break;
    case COLUMN_TIME:
      text = format_local_time (e->at_us);
      tooltip = format_utc_time (e->at_us);
      break;
    case COLUMN_REVIEWER:
      text = g_strdup (e->actor);
      tooltip = g_strdup (e->actor);
      break;
    case COLUMN_ACTION:
      {
        static const char *const kinds[] = { "confirm", "reject", "undo", "export", "delete", NULL };

        text = g_strdup (action_label (e->action));
        for (guint i = 0; kinds[i] != NULL; i++)
          {
            g_autofree char *css = g_strdup_printf ("attest-action-%s", kinds[i]);

            if (g_strcmp0 (e->action, kinds[i]) == 0)
              gtk_widget_add_css_class (GTK_WIDGET (label), css);
            else
              gtk_widget_remove_css_class (GTK_WIDGET (label), css);
          }
      }
      break;
    case COLUMN_SUBJECT:
      text = g_strdup (e->subject != NULL ? e->subject : "—");
      tooltip = g_strdup (e->subject);
      break;
    case COLUMN_SCORE:
      text = score_text (e);
      break;
    case COLUMN_MODEL:
      text = g_strdup (e->model_id != NULL ? e->model_id : "—");
      tooltip = g_strdup (e->model_id);
      break;
    case COLUMN_RATIONALE:
      /* An export has no rationale; what it covered says more than a dash. */
      if (e->rationale == NULL && g_strcmp0 (e->action, "export") == 0)
        text = details_string (e->details, "description");
      if (text == NULL)
        text = g_strdup (e->rationale != NULL ? e->rationale : "—");
      tooltip = g_strdup (text);
      break;
    case COLUMN_DETAILS:
    default:
      g_assert_not_reached ();
    }
  gtk_label_set_label (label, text);
  gtk_widget_set_tooltip_text (GTK_WIDGET (label), tooltip);
}

static void
unbind_label (GtkSignalListItemFactory *factory,
              GtkListItem              *list_item,
              gpointer                  user_data)
{
  GBinding *binding = g_object_steal_data (G_OBJECT (list_item), "binding");

  if (binding != NULL)
    g_binding_unbind (binding);
}

static GtkWidget *
details_row (GtkGrid    *grid,
             int         row,
             const char *title,
             gboolean    mono)
{
  GtkWidget *heading = gtk_label_new (title);
  GtkWidget *value = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (heading), 0);
  gtk_label_set_yalign (GTK_LABEL (heading), 0);
  gtk_widget_add_css_class (heading, "dim-label");
  gtk_label_set_xalign (GTK_LABEL (value), 0);
  gtk_label_set_selectable (GTK_LABEL (value), TRUE);
  gtk_label_set_wrap (GTK_LABEL (value), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (value), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_width_chars (GTK_LABEL (value), 66);
  gtk_label_set_max_width_chars (GTK_LABEL (value), 66);
  if (mono)
    gtk_widget_add_css_class (value, "monospace");
  gtk_grid_attach (grid, heading, 0, row, 1, 1);
  gtk_grid_attach (grid, value, 1, row, 1, 1);
  return value;
}

static void
on_copy_hash_clicked (GtkButton *copy,
                      GtkWidget *menu_button)
{
  GtkLabel *hash = g_object_get_data (G_OBJECT (menu_button), "hash");

  gdk_clipboard_set_text (gtk_widget_get_clipboard (GTK_WIDGET (copy)), gtk_label_get_label (hash));
}

static void
setup_details (GtkSignalListItemFactory *factory,
               GtkListItem              *list_item,
               gpointer                  user_data)
{
  GtkWidget *button = gtk_menu_button_new ();
  GtkWidget *popover = gtk_popover_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  GtkWidget *header = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *title = gtk_label_new (NULL);
  GtkWidget *copy = gtk_button_new_with_mnemonic (_("_Copy Hash"));
  GtkWidget *grid = gtk_grid_new ();
  static const char *const keys[] = { "at", "frame", "hash", "prev", "details" };
  const char *titles[] = { _("Recorded (UTC)"), _("Frame"), _("Entry hash"), _("Previous hash"),
                           _("Details") };

  gtk_menu_button_set_icon_name (GTK_MENU_BUTTON (button), "view-more-horizontal-symbolic");
  gtk_widget_set_tooltip_text (button, _("Details and hash"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Details and hash"), -1);
  gtk_widget_add_css_class (button, "flat");
  gtk_widget_set_halign (button, GTK_ALIGN_CENTER);
  gtk_label_set_xalign (GTK_LABEL (title), 0);
  gtk_widget_set_hexpand (title, TRUE);
  gtk_widget_add_css_class (title, "heading");
  /* First in the focus chain, so opening does not select a label's text. */
  gtk_widget_add_css_class (copy, "flat");
  g_signal_connect (copy, "clicked", G_CALLBACK (on_copy_hash_clicked), button);
  gtk_box_append (GTK_BOX (header), title);
  gtk_box_append (GTK_BOX (header), copy);
  gtk_grid_set_row_spacing (GTK_GRID (grid), 6);
  gtk_grid_set_column_spacing (GTK_GRID (grid), 12);
  gtk_box_append (GTK_BOX (box), header);
  gtk_box_append (GTK_BOX (box), grid);
  gtk_widget_set_margin_start (box, 6);
  gtk_widget_set_margin_end (box, 6);
  gtk_widget_set_margin_top (box, 6);
  gtk_widget_set_margin_bottom (box, 6);
  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    g_object_set_data (G_OBJECT (button), keys[i], details_row (GTK_GRID (grid), i, titles[i], i >= 2));
  g_object_set_data (G_OBJECT (button), "title", title);
  gtk_popover_set_child (GTK_POPOVER (popover), box);
  gtk_menu_button_set_popover (GTK_MENU_BUTTON (button), popover);
  gtk_list_item_set_child (list_item, button);
}

static void
bind_details (GtkSignalListItemFactory *factory,
              GtkListItem              *list_item,
              gpointer                  user_data)
{
  const AttestAuditEntry *e = attest_audit_item_get_entry (gtk_list_item_get_item (list_item));
  GObject *button = G_OBJECT (gtk_list_item_get_child (list_item));
  g_autofree char *title = g_strdup_printf (_("Entry %" G_GINT64_FORMAT ": %s"), e->id, action_label (e->action));
  g_autofree char *at = format_utc_time (e->at_us);
  g_autofree char *frame = NULL;
  g_autofree char *details = pretty_details (e->details);

  if (e->source_sha256 != NULL && e->source_ms >= 0)
    frame = g_strdup_printf (_("%s\nat %" G_GINT64_FORMAT " ms"), e->source_sha256, e->source_ms);
  else
    frame = g_strdup (e->source_sha256 != NULL ? e->source_sha256 : "—");
  gtk_label_set_label (g_object_get_data (button, "title"), title);
  gtk_label_set_label (g_object_get_data (button, "at"), at);
  gtk_label_set_label (g_object_get_data (button, "frame"), frame);
  gtk_label_set_label (g_object_get_data (button, "hash"), e->hash);
  gtk_label_set_label (g_object_get_data (button, "prev"), e->prev_hash);
  gtk_label_set_label (g_object_get_data (button, "details"), details);
}

static void
add_column (AttestAuditPage *self,
            const char      *title,
            Column           column,
            gboolean         expand,
            int              fixed_width)
{
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
  GtkColumnViewColumn *view_column;

  if (column == COLUMN_DETAILS)
    {
      g_signal_connect (factory, "setup", G_CALLBACK (setup_details), NULL);
      g_signal_connect (factory, "bind", G_CALLBACK (bind_details), NULL);
    }
  else
    {
      g_signal_connect (factory, "setup", G_CALLBACK (setup_label), GINT_TO_POINTER (column));
      g_signal_connect (factory, "bind", G_CALLBACK (bind_label), GINT_TO_POINTER (column));
      g_signal_connect (factory, "unbind", G_CALLBACK (unbind_label), GINT_TO_POINTER (column));
    }
  view_column = gtk_column_view_column_new (title, factory);
  gtk_column_view_column_set_expand (view_column, expand);
  gtk_column_view_column_set_resizable (view_column, TRUE);
  if (fixed_width > 0)
    gtk_column_view_column_set_fixed_width (view_column, fixed_width);
  gtk_column_view_append_column (self->column_view, view_column);
  g_object_unref (view_column);
}

/* ---- loading ---- */

static void
set_busy_changed (AttestAuditPage *self)
{
  gtk_widget_set_sensitive (GTK_WIDGET (self->verify_button), !self->verifying && self->store != NULL);
  gtk_spinner_set_spinning (self->verify_spinner, self->verifying);
  gtk_stack_set_visible_child_name (self->verify_icon_stack, self->verifying ? "spinner" : "icon");
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
}

static void
mark_broken (AttestAuditPage *self)
{
  GListModel *model = G_LIST_MODEL (self->entries);
  guint n = g_list_model_get_n_items (model);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr (AttestAuditItem) item = g_list_model_get_item (model, i);

      attest_audit_item_set_broken (item, self->broken_id >= 0 &&
                                          attest_audit_item_get_entry (item)->id == self->broken_id);
    }
}

static void
on_listed (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr (AttestAuditPage) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) entries = attest_store_list_audit_finish (ATTEST_STORE (source), result,
                                                                  &error);

  self->n_loading--;
  if (entries != NULL && !g_cancellable_is_cancelled (g_task_get_cancellable (G_TASK (result))))
    {
      g_autoptr (GPtrArray) items = g_ptr_array_new_with_free_func (g_object_unref);
      guint old_n = g_list_model_get_n_items (G_LIST_MODEL (self->entries));

      /* Newest first. */
      for (guint i = entries->len; i > 0; i--)
        g_ptr_array_add (items, attest_audit_item_new (g_ptr_array_steal_index_fast (entries, i - 1)));
      g_list_store_splice (self->entries, 0, old_n, items->pdata, items->len);
      mark_broken (self);
      update_reviewers (self);
      update_counts (self);
      /* A verdict about a shorter log no longer describes what is listed. */
      if (self->verify_text != NULL && self->broken_id < 0 && items->len != self->verified_count)
        {
          g_clear_pointer (&self->verify_text, g_free);
          gtk_revealer_set_reveal_child (self->verify_revealer, FALSE);
        }
    }
  else if (error != NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      gtk_label_set_label (self->count_label, error->message);
    }
  if (self->reload_again && self->n_loading == 0)
    {
      self->reload_again = FALSE;
      attest_audit_page_reload (self);
    }
  set_busy_changed (self);
}

void
attest_audit_page_reload (AttestAuditPage *self)
{
  g_return_if_fail (ATTEST_IS_AUDIT_PAGE (self));

  if (self->store == NULL)
    return;
  /* One listing at a time; a request meanwhile lists again once it is in. */
  if (self->n_loading > 0)
    {
      self->reload_again = TRUE;
      return;
    }
  self->n_loading++;
  attest_store_list_audit_async (self->store, 0, 0, self->cancellable, on_listed,
                                 g_object_ref (self));
  set_busy_changed (self);
}

/* ---- verifying ---- */

typedef struct
{
  gboolean          ok;
  guint64           n;
  gint64            bad_id;
  char             *message;
  AttestAuditCheck  check;
} VerifyResult;

static void
verify_result_free (VerifyResult *r)
{
  g_free (r->message);
  attest_audit_check_clear (&r->check);
  g_free (r);
}

static void
show_verdict (AttestAuditPage *self,
              gboolean         ok,
              const char      *headline,
              const char      *detail)
{
  g_free (self->verify_text);
  self->verify_text = g_strdup (headline);
  gtk_label_set_label (self->verify_label, headline);
  gtk_label_set_label (self->verify_detail, detail);
  gtk_image_set_from_icon_name (self->verify_image, ok ? "emblem-ok-symbolic" : "dialog-error-symbolic");
  gtk_widget_remove_css_class (GTK_WIDGET (self->verify_box), ok ? "error" : "success");
  gtk_widget_add_css_class (GTK_WIDGET (self->verify_box), ok ? "success" : "error");
  gtk_revealer_set_reveal_child (self->verify_revealer, TRUE);
}

static void
on_verified (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr (AttestAuditPage) self = user_data;
  VerifyResult *r = g_new0 (VerifyResult, 1);
  g_autoptr (GError) error = NULL;
  g_autoptr (GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *when = g_date_time_format (now, "%H:%M:%S");

  self->verifying = FALSE;
  r->bad_id = -1;
  r->ok = attest_store_check_audit_finish (ATTEST_STORE (source), result, &r->check, &r->bad_id,
                                           &error);
  r->n = r->check.n_entries;
  if (!r->ok)
    r->message = g_strdup (error != NULL ? error->message : _("The chain does not hold"));
  if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) &&
      !g_cancellable_is_cancelled (g_task_get_cancellable (G_TASK (result))))
    {
      g_autofree char *headline = NULL;
      g_autofree char *detail = NULL;

      if (r->ok)
        {
          headline = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Intact: %" G_GUINT64_FORMAT " entry",
                                                   "Intact: %" G_GUINT64_FORMAT " entries", r->n), r->n);
          g_autoptr (GString) text = g_string_new (NULL);

          g_string_append_printf (text, _("Every entry’s hash matches its contents and the entry "
                                          "before it, and the count and head agree. "));
          g_string_append_printf (text, _("%" G_GUINT64_FORMAT " of them are confirmed by this "
                                          "installation’s key (key %s). "),
                                  r->check.n_this_key, r->check.key_id);
          if (r->check.n_unkeyed > 0)
            g_string_append_printf (text, _("Entries 1 to %" G_GUINT64_FORMAT " were written "
                                            "before this gallery had a key; entry %"
                                            G_GUINT64_FORMAT " seals them. "),
                                    r->check.n_unkeyed, r->check.n_unkeyed + 1);
          if (r->check.n_other_keys > 0)
            g_string_append_printf (text, _("%" G_GUINT64_FORMAT " were written by another "
                                            "installation, whose key alone can confirm them. "),
                                    r->check.n_other_keys);
          g_string_append_printf (text, _("Checked at %s."), when);
          detail = g_string_free (g_steal_pointer (&text), FALSE);
          self->broken_id = -1;
          self->verified_count = r->n;
        }
      else
        {
          if (r->bad_id >= 0)
            headline = g_strdup_printf (_("Broken at entry %" G_GINT64_FORMAT), r->bad_id);
          else
            headline = g_strdup (_("Broken"));
          detail = g_strdup_printf (_("%s. Someone changed, removed or reordered entries outside "
                                      "Attest; the entries before this one still verify. Checked "
                                      "at %s."), r->message, when);
          self->broken_id = r->bad_id;
        }
      show_verdict (self, r->ok, headline, detail);
      /* List what is in the database now, marking the broken entry. */
      mark_broken (self);
      attest_audit_page_reload (self);
    }
  g_clear_pointer (&r, verify_result_free);
  set_busy_changed (self);
}

void
attest_audit_page_verify (AttestAuditPage *self)
{
  g_return_if_fail (ATTEST_IS_AUDIT_PAGE (self));

  if (self->store == NULL || self->verifying)
    return;
  self->verifying = TRUE;
  attest_store_check_audit_async (self->store, self->cancellable, on_verified,
                                  g_object_ref (self));
  set_busy_changed (self);
}

/* audit.verify: "Verify Chain". */
static void
verify_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *param)
{
  attest_audit_page_verify (ATTEST_AUDIT_PAGE (widget));
}

static void
on_verify_close_clicked (AttestAuditPage *self)
{
  gtk_revealer_set_reveal_child (self->verify_revealer, FALSE);
}

/* ---- GObject ---- */

static void
attest_audit_page_dispose (GObject *object)
{
  AttestAuditPage *self = ATTEST_AUDIT_PAGE (object);

  g_cancellable_cancel (self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), ATTEST_TYPE_AUDIT_PAGE);
  G_OBJECT_CLASS (attest_audit_page_parent_class)->dispose (object);
}

static void
attest_audit_page_finalize (GObject *object)
{
  AttestAuditPage *self = ATTEST_AUDIT_PAGE (object);

  g_clear_object (&self->store);
  g_clear_object (&self->entries);
  g_clear_object (&self->filtered);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->reviewers, g_ptr_array_unref);
  g_free (self->action);
  g_free (self->reviewer);
  g_free (self->search);
  g_free (self->verify_text);
  G_OBJECT_CLASS (attest_audit_page_parent_class)->finalize (object);
}

static void
attest_audit_page_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  AttestAuditPage *self = ATTEST_AUDIT_PAGE (object);

  switch (prop_id)
    {
    case PROP_STORE:
      g_value_set_object (value, self->store);
      break;
    case PROP_BUSY:
      g_value_set_boolean (value, attest_audit_page_get_busy (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
attest_audit_page_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  AttestAuditPage *self = ATTEST_AUDIT_PAGE (object);

  switch (prop_id)
    {
    case PROP_STORE:
      attest_audit_page_set_store (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
attest_audit_page_class_init (AttestAuditPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = attest_audit_page_dispose;
  object_class->finalize = attest_audit_page_finalize;
  object_class->get_property = attest_audit_page_get_property;
  object_class->set_property = attest_audit_page_set_property;

  properties[PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL, ATTEST_TYPE_STORE,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_BUSY] =
    g_param_spec_boolean ("busy", NULL, NULL, FALSE, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (ATTEST_TYPE_WRAP_LAYOUT);
  gtk_widget_class_set_template_from_resource (widget_class, "/org/gnome/Attest/attest-audit-page.ui");
  gtk_widget_class_bind_template_child (widget_class, AttestAuditPage, action_dropdown);
  gtk_widget_class_bind_template_child (widget_class, AttestAuditPage, reviewer_dropdown);
  gtk_widget_class_bind_template_child (widget_class, AttestAuditPage, search_entry);
  gtk_widget_class_bind_template_child (widget_class, AttestAuditPage, verify_button);
  gtk_widget_class_bind_template_child (widget_class, AttestAuditPage, verify_icon_stack);
  gtk_widget_class_bind_template_child (widget_class, AttestAuditPage, verify_spinner);
  gtk_widget_class_bind_template_child (widget_class, AttestAuditPage, verify_revealer);
  gtk_widget_class_bind_template_child (widget_class, AttestAuditPage, verify_box);
  gtk_widget_class_bind_template_child (widget_class, AttestAuditPage, verify_image);
  gtk_widget_class_bind_template_child (widget_class, AttestAuditPage, verify_label);
  gtk_widget_class_bind_template_child (widget_class, AttestAuditPage, verify_detail);
  gtk_widget_class_bind_template_child (widget_class, AttestAuditPage, list_stack);
  gtk_widget_class_bind_template_child (widget_class, AttestAuditPage, column_view);
  gtk_widget_class_bind_template_child (widget_class, AttestAuditPage, count_label);
  gtk_widget_class_install_action (widget_class, "audit.verify", NULL, verify_action);
  gtk_widget_class_bind_template_callback (widget_class, on_verify_close_clicked);
}

static void
reload_if_mapped (AttestAuditPage *self)
{
  if (self->store != NULL && gtk_widget_get_mapped (GTK_WIDGET (self)))
    attest_audit_page_reload (self);
}

static void
attest_audit_page_init (AttestAuditPage *self)
{
  GtkNoSelection *selection;

  gtk_widget_init_template (GTK_WIDGET (self));
  /* The root stack is AdwBin's child, not a bound template child: disposing the template
   * would unparent it behind AdwBin's back. */
  self->stack = GTK_STACK (adw_bin_get_child (ADW_BIN (self)));
  self->action_labels = GTK_STRING_LIST (gtk_drop_down_get_model (self->action_dropdown));
  self->reviewer_labels = GTK_STRING_LIST (gtk_drop_down_get_model (self->reviewer_dropdown));

  attest_a11y_name_drop_down (self->action_dropdown, _("Action"));
  attest_a11y_name_drop_down (self->reviewer_dropdown, _("Reviewer"));
  self->broken_id = -1;
  self->cancellable = g_cancellable_new ();
  /* The log as it is whenever the page comes on screen. */
  g_signal_connect (self, "map", G_CALLBACK (reload_if_mapped), NULL);
  self->reviewers = g_ptr_array_new_with_free_func (g_free);
  self->entries = g_list_store_new (ATTEST_TYPE_AUDIT_ITEM);
  self->filter = gtk_custom_filter_new (filter_func, self, NULL);
  self->filtered = gtk_filter_list_model_new (g_object_ref (G_LIST_MODEL (self->entries)),
                                              GTK_FILTER (self->filter));
  selection = gtk_no_selection_new (g_object_ref (G_LIST_MODEL (self->filtered)));
  gtk_column_view_set_model (self->column_view, GTK_SELECTION_MODEL (selection));
  g_object_unref (selection);

  add_column (self, _("#"), COLUMN_ID, FALSE, -1);
  /* Details first: in view however narrow the window, never behind the sideways scroll. */
  add_column (self, NULL, COLUMN_DETAILS, FALSE, -1);
  add_column (self, _("Time"), COLUMN_TIME, FALSE, -1);
  add_column (self, _("Reviewer"), COLUMN_REVIEWER, FALSE, 150);
  add_column (self, _("Action"), COLUMN_ACTION, FALSE, -1);
  add_column (self, _("Subject"), COLUMN_SUBJECT, FALSE, 110);
  add_column (self, _("Score"), COLUMN_SCORE, FALSE, -1);
  add_column (self, _("Model"), COLUMN_MODEL, FALSE, 200);
  add_column (self, _("Rationale"), COLUMN_RATIONALE, TRUE, 200);

  for (guint i = 0; i < G_N_ELEMENTS (action_choices); i++)
    gtk_string_list_append (self->action_labels, _(action_choices[i].label));
  gtk_string_list_append (self->reviewer_labels, _("All Reviewers"));
  g_signal_connect_swapped (self->action_dropdown, "notify::selected", G_CALLBACK (on_action_selected), self);
  g_signal_connect_swapped (self->reviewer_dropdown, "notify::selected", G_CALLBACK (on_reviewer_selected), self);
  g_signal_connect_swapped (self->search_entry, "search-changed", G_CALLBACK (on_search_changed), self);

  gtk_stack_set_visible_child_name (self->stack, "unavailable");
  update_counts (self);
  set_busy_changed (self);
}

GtkWidget *
attest_audit_page_new (void)
{
  return g_object_new (ATTEST_TYPE_AUDIT_PAGE, NULL);
}

void
attest_audit_page_set_store (AttestAuditPage *self,
                             AttestStore     *store)
{
  g_return_if_fail (ATTEST_IS_AUDIT_PAGE (self));
  g_return_if_fail (store == NULL || ATTEST_IS_STORE (store));

  if (self->store == store)
    return;
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  self->n_loading = 0;
  self->verifying = FALSE;
  self->reload_again = FALSE;
  self->broken_id = -1;
  g_clear_pointer (&self->verify_text, g_free);
  gtk_revealer_set_reveal_child (self->verify_revealer, FALSE);
  g_list_store_remove_all (self->entries);
  if (self->store != NULL)
    g_signal_handlers_disconnect_by_func (self->store, reload_if_mapped, self);
  g_set_object (&self->store, store);
  /* Anything audited, by anyone: the log on screen is listed again (off screen, when it
   * comes on screen). */
  if (store != NULL)
    g_signal_connect_object (store, "changed::audit", G_CALLBACK (reload_if_mapped), self,
                             G_CONNECT_SWAPPED);
  gtk_stack_set_visible_child_name (self->stack, store != NULL ? "log" : "unavailable");
  update_counts (self);
  if (store != NULL)
    attest_audit_page_reload (self);
  set_busy_changed (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STORE]);
}

AttestStore *
attest_audit_page_get_store (AttestAuditPage *self)
{
  g_return_val_if_fail (ATTEST_IS_AUDIT_PAGE (self), NULL);

  return self->store;
}

gboolean
attest_audit_page_get_busy (AttestAuditPage *self)
{
  g_return_val_if_fail (ATTEST_IS_AUDIT_PAGE (self), FALSE);

  return self->n_loading > 0 || self->verifying || self->reload_again;
}

guint
attest_audit_page_get_n_entries (AttestAuditPage *self)
{
  g_return_val_if_fail (ATTEST_IS_AUDIT_PAGE (self), 0);

  return g_list_model_get_n_items (G_LIST_MODEL (self->entries));
}

guint
attest_audit_page_get_n_shown (AttestAuditPage *self)
{
  g_return_val_if_fail (ATTEST_IS_AUDIT_PAGE (self), 0);

  return g_list_model_get_n_items (G_LIST_MODEL (self->filtered));
}

const AttestAuditEntry *
attest_audit_page_get_shown_entry (AttestAuditPage *self,
                                   guint            position)
{
  g_autoptr (AttestAuditItem) item = NULL;

  g_return_val_if_fail (ATTEST_IS_AUDIT_PAGE (self), NULL);

  item = g_list_model_get_item (G_LIST_MODEL (self->filtered), position);
  /* The list store keeps the item (and its entry) alive. */
  return item != NULL ? attest_audit_item_get_entry (item) : NULL;
}

const char *
attest_audit_page_get_verify_text (AttestAuditPage *self)
{
  g_return_val_if_fail (ATTEST_IS_AUDIT_PAGE (self), NULL);

  return self->verify_text;
}

void
attest_audit_page_set_action_filter (AttestAuditPage *self,
                                     const char      *action)
{
  g_return_if_fail (ATTEST_IS_AUDIT_PAGE (self));

  for (guint i = 0; i < G_N_ELEMENTS (action_choices); i++)
    if (g_strcmp0 (action_choices[i].action, action) == 0)
      {
        gtk_drop_down_set_selected (self->action_dropdown, i);
        return;
      }
  g_return_if_reached ();
}

void
attest_audit_page_set_reviewer_filter (AttestAuditPage *self,
                                       const char      *reviewer)
{
  g_return_if_fail (ATTEST_IS_AUDIT_PAGE (self));

  if (reviewer == NULL)
    {
      gtk_drop_down_set_selected (self->reviewer_dropdown, 0);
      return;
    }
  for (guint i = 0; i < self->reviewers->len; i++)
    if (g_str_equal (g_ptr_array_index (self->reviewers, i), reviewer))
      {
        gtk_drop_down_set_selected (self->reviewer_dropdown, i + 1);
        return;
      }
  g_return_if_reached ();
}

void
attest_audit_page_set_search_text (AttestAuditPage *self,
                                   const char      *text)
{
  g_return_if_fail (ATTEST_IS_AUDIT_PAGE (self));

  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), text != NULL ? text : "");
  /* search-changed is delayed; filter now so the caller sees the result. */
  on_search_changed (self);
}

/* ---- for tests (attest-audit-page-private.h) ---- */

GtkButton *
_attest_audit_page_get_verify_button (AttestAuditPage *self)
{
  return self->verify_button;
}

GtkDropDown *
_attest_audit_page_get_action_dropdown (AttestAuditPage *self)
{
  return self->action_dropdown;
}

GtkSearchEntry *
_attest_audit_page_get_search_entry (AttestAuditPage *self)
{
  return self->search_entry;
}

GtkColumnView *
_attest_audit_page_get_column_view (AttestAuditPage *self)
{
  return self->column_view;
}
