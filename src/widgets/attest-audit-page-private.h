/* attest-audit-page-private.h: the audit page's controls, for tests that drive them as a user
 * would. Not for other code. */
#pragma once

#include "widgets/attest-audit-page.h"

G_BEGIN_DECLS

GtkButton      *_attest_audit_page_get_verify_button   (AttestAuditPage *self);
GtkDropDown    *_attest_audit_page_get_action_dropdown (AttestAuditPage *self);
GtkSearchEntry *_attest_audit_page_get_search_entry    (AttestAuditPage *self);
GtkColumnView  *_attest_audit_page_get_column_view     (AttestAuditPage *self);

G_END_DECLS
