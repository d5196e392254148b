/* attest-audit-page.h: the audit log, newest first, with filters (action, reviewer, free
 * text) and a "Verify Chain" button that recomputes the hash chain off the main thread and
 * says "Intact: N entries" or "Broken at entry N".
 *
 * Read-only: the page never writes the store. Listing and verifying run in GTask threads
 * (the store takes its own lock), so a long log never blocks the window. */
#pragma once

#include <adwaita.h>

#include "store/attest-store.h"

G_BEGIN_DECLS

#define ATTEST_TYPE_AUDIT_PAGE (attest_audit_page_get_type ())
G_DECLARE_FINAL_TYPE (AttestAuditPage, attest_audit_page, ATTEST, AUDIT_PAGE, AdwBin)

GtkWidget   *attest_audit_page_new               (void);

/* NULL: the page says the audit log is not available. Lists the entries when set. */
void         attest_audit_page_set_store         (AttestAuditPage *self,
                                                  AttestStore     *store);
AttestStore *attest_audit_page_get_store         (AttestAuditPage *self);

/* Lists the entries again (after something was audited elsewhere). Keeps the filters. */
void         attest_audit_page_reload            (AttestAuditPage *self);
/* Runs the verification (what "Verify Chain" does). */
void         attest_audit_page_verify            (AttestAuditPage *self);

/* Property "busy": TRUE while listing or verifying. */
gboolean     attest_audit_page_get_busy          (AttestAuditPage *self);
/* Entries listed (all) and shown (after the filters). */
guint        attest_audit_page_get_n_entries     (AttestAuditPage *self);
guint        attest_audit_page_get_n_shown       (AttestAuditPage *self);
/* The shown entry at position (0: the newest shown), NULL past the end. */
const AttestAuditEntry *attest_audit_page_get_shown_entry (AttestAuditPage *self,
                                                           guint            position);
/* The verification headline on screen ("Intact: 12 entries", "Broken at entry 4"), NULL
 * before the first verification or after the list changed. */
const char  *attest_audit_page_get_verify_text   (AttestAuditPage *self);

/* Filters, as the dropdowns and the search entry set them. action NULL: every action;
 * reviewer NULL: everyone. */
void         attest_audit_page_set_action_filter (AttestAuditPage *self,
                                                  const char      *action);
void         attest_audit_page_set_reviewer_filter (AttestAuditPage *self,
                                                    const char      *reviewer);
void         attest_audit_page_set_search_text   (AttestAuditPage *self,
                                                  const char      *text);

G_END_DECLS
