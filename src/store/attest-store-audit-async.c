/* attest-store-audit-async.c: the _async/_finish variants of the audit log's reads
 * (attest-store.h), run on the store's one writer thread like every other _async call, so a
 * page never reads the log from a thread of its own. */
#include "config.h"

#include "attest-store-private.h"

#include <string.h>

/* ---- listing ---- */

typedef struct
{
  gint64 after_id;
  guint  limit;
} ListOp;

static void
run_list (GTask        *task,
          gpointer      source_object,
          gpointer      task_data,
          GCancellable *cancellable)
{
  ListOp *op = task_data;
  GError *error = NULL;
  GPtrArray *entries = attest_store_list_audit (source_object, op->after_id, op->limit, &error);

  if (entries != NULL)
    g_task_return_pointer (task, entries, (GDestroyNotify) g_ptr_array_unref);
  else
    g_task_return_error (task, error);
}

void
attest_store_list_audit_async (AttestStore         *self,
                               gint64               after_id,
                               guint                limit,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  ListOp *op;

  g_return_if_fail (ATTEST_IS_STORE (self));

  op = g_new0 (ListOp, 1);
  op->after_id = after_id;
  op->limit = limit;
  _attest_store_start_task (self, op, g_free, run_list, attest_store_list_audit_async,
                            cancellable, callback, user_data);
}

GPtrArray *
attest_store_list_audit_finish (AttestStore   *self,
                                GAsyncResult  *result,
                                GError       **error)
{
  g_return_val_if_fail (_attest_store_is_result_of (self, result, attest_store_list_audit_async),
                        NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- checking ---- */

typedef struct
{
  gboolean          ok;
  gint64            first_bad_id;
  GError           *error;
  AttestAuditCheck  check;
} CheckResult;

static void
check_result_free (CheckResult *r)
{
  g_clear_error (&r->error);
  attest_audit_check_clear (&r->check);
  g_free (r);
}

static void
run_check (GTask        *task,
           gpointer      source_object,
           gpointer      task_data,
           GCancellable *cancellable)
{
  CheckResult *r = g_new0 (CheckResult, 1);

  r->first_bad_id = -1;
  r->ok = attest_store_check_audit (source_object, &r->check, &r->first_bad_id, &r->error);
  g_task_return_pointer (task, r, (GDestroyNotify) check_result_free);
}

void
attest_store_check_audit_async (AttestStore         *self,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_return_if_fail (ATTEST_IS_STORE (self));

  _attest_store_start_task (self, NULL, NULL, run_check, attest_store_check_audit_async,
                            cancellable, callback, user_data);
}

gboolean
attest_store_check_audit_finish (AttestStore       *self,
                                 GAsyncResult      *result,
                                 AttestAuditCheck  *check,
                                 gint64            *first_bad_id,
                                 GError           **error)
{
  g_autoptr (GError) task_error = NULL;
  CheckResult *r;
  gboolean ok;

  g_return_val_if_fail (_attest_store_is_result_of (self, result, attest_store_check_audit_async),
                        FALSE);

  r = g_task_propagate_pointer (G_TASK (result), &task_error);
  if (r == NULL)
    {
      g_propagate_error (error, g_steal_pointer (&task_error));
      return FALSE;
    }
  ok = r->ok;
  if (first_bad_id != NULL)
    *first_bad_id = r->first_bad_id;
  if (check != NULL)
    {
      *check = r->check;
      memset (&r->check, 0, sizeof r->check);
    }
  if (!ok && r->error != NULL)
    g_propagate_error (error, g_steal_pointer (&r->error));
  check_result_free (r);
  return ok;
}
