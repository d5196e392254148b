/* attest-audit-item.c: see attest-audit-item.h. */
#include "config.h"

#include "widgets/attest-audit-item.h"

struct _AttestAuditItem
{
  GObject           parent_instance;
  AttestAuditEntry *entry;
  gboolean          broken;
};

G_DEFINE_FINAL_TYPE (AttestAuditItem, attest_audit_item, G_TYPE_OBJECT)

enum { PROP_0, PROP_BROKEN, N_PROPS };
static GParamSpec *properties[N_PROPS];

static void
attest_audit_item_finalize (GObject *object)
{
  AttestAuditItem *self = ATTEST_AUDIT_ITEM (object);

  g_clear_pointer (&self->entry, attest_audit_entry_free);
  G_OBJECT_CLASS (attest_audit_item_parent_class)->finalize (object);
}

static void
attest_audit_item_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  AttestAuditItem *self = ATTEST_AUDIT_ITEM (object);

  switch (prop_id)
    {
    case PROP_BROKEN:
      g_value_set_boolean (value, self->broken);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
attest_audit_item_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  AttestAuditItem *self = ATTEST_AUDIT_ITEM (object);

  switch (prop_id)
    {
    case PROP_BROKEN:
      attest_audit_item_set_broken (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
attest_audit_item_class_init (AttestAuditItemClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = attest_audit_item_finalize;
  object_class->get_property = attest_audit_item_get_property;
  object_class->set_property = attest_audit_item_set_property;

  properties[PROP_BROKEN] =
    g_param_spec_boolean ("broken", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
attest_audit_item_init (AttestAuditItem *self)
{
}

AttestAuditItem *
attest_audit_item_new (AttestAuditEntry *entry)
{
  AttestAuditItem *self;

  g_return_val_if_fail (entry != NULL, NULL);

  self = g_object_new (ATTEST_TYPE_AUDIT_ITEM, NULL);
  self->entry = entry;
  return self;
}

const AttestAuditEntry *
attest_audit_item_get_entry (AttestAuditItem *self)
{
  g_return_val_if_fail (ATTEST_IS_AUDIT_ITEM (self), NULL);

  return self->entry;
}

gboolean
attest_audit_item_get_broken (AttestAuditItem *self)
{
  g_return_val_if_fail (ATTEST_IS_AUDIT_ITEM (self), FALSE);

  return self->broken;
}

void
attest_audit_item_set_broken (AttestAuditItem *self,
                              gboolean         broken)
{
  g_return_if_fail (ATTEST_IS_AUDIT_ITEM (self));

  broken = !!broken;
  if (self->broken == broken)
    return;
  self->broken = broken;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BROKEN]);
}
