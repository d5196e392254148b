/* attest-audit-item.h: one audit entry as a list-model item (the audit page's rows). */
#pragma once

#include <glib-object.h>

#include "store/attest-store.h"

G_BEGIN_DECLS

#define ATTEST_TYPE_AUDIT_ITEM (attest_audit_item_get_type ())
G_DECLARE_FINAL_TYPE (AttestAuditItem, attest_audit_item, ATTEST, AUDIT_ITEM, GObject)

/* Takes ownership of entry. */
AttestAuditItem        *attest_audit_item_new        (AttestAuditEntry *entry);
const AttestAuditEntry *attest_audit_item_get_entry  (AttestAuditItem  *self);
/* Set when verification found this entry to be the first that does not hold. */
gboolean                attest_audit_item_get_broken (AttestAuditItem  *self);
void                    attest_audit_item_set_broken (AttestAuditItem  *self,
                                                      gboolean          broken);

G_END_DECLS
