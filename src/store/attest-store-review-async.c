/* attest-store-review-async.c: see attest-review-async.h. */
#include "config.h"

#include "attest-review-async.h"
#include "attest-store-private.h"

typedef enum
{
  OP_DECIDE,
  OP_LIST,
  OP_LOAD,
} OpKind;

typedef struct
{
  OpKind                kind;
  AttestReviewDecision  decision;
  gint64                item_id;
  gint64                identity_id;
  char                 *actor;
  char                 *rationale;
  char                 *status;
} Op;

typedef struct
{
  AttestReviewItem *item;
  gboolean         *rejected;
  GPtrArray        *frames;
} Loaded;

static void
op_free (gpointer data)
{
  Op *op = data;

  g_free (op->actor);
  g_free (op->rationale);
  g_free (op->status);
  g_free (op);
}

static void
loaded_free (gpointer data)
{
  Loaded *loaded = data;

  g_clear_pointer (&loaded->item, attest_review_item_free);
  g_clear_pointer (&loaded->frames, g_ptr_array_unref);
  g_free (loaded->rejected);
  g_free (loaded);
}

static gboolean
decide (AttestStore  *self,
        Op           *op,
        gint64       *out_id,
        GError      **error)
{
  switch (op->decision)
    {
    case ATTEST_REVIEW_DECISION_CONFIRM:
      *out_id = attest_store_confirm_review_item (self, op->item_id, op->identity_id, op->actor,
                                                  op->rationale, error);
      return *out_id >= 0;
    case ATTEST_REVIEW_DECISION_REJECT:
      *out_id = op->item_id;
      return attest_store_reject_review_item (self, op->item_id, op->identity_id, op->actor,
                                              op->rationale, error);
    case ATTEST_REVIEW_DECISION_SKIP:
      *out_id = op->item_id;
      return attest_store_skip_review_item (self, op->item_id, op->actor, error);
    case ATTEST_REVIEW_DECISION_UNSURE:
      *out_id = op->item_id;
      return attest_store_mark_review_item_unsure (self, op->item_id, op->actor, error);
    case ATTEST_REVIEW_DECISION_UNDO:
    default:
      *out_id = -1;
      return attest_store_undo_last_decision (self, op->actor, out_id, error);
    }
}

static void
run_op (GTask        *task,
        gpointer      source_object,
        gpointer      task_data,
        GCancellable *cancellable)
{
  AttestStore *self = source_object;
  Op *op = task_data;
  GError *error = NULL;

  switch (op->kind)
    {
    case OP_DECIDE:
      {
        gint64 *out_id = g_new (gint64, 1);

        if (decide (self, op, out_id, &error))
          g_task_return_pointer (task, out_id, g_free);
        else
          {
            g_free (out_id);
            g_task_return_error (task, error);
          }
        return;
      }

    case OP_LIST:
      {
        GPtrArray *items = attest_store_list_review_items (self, op->status, &error);

        if (items != NULL)
          g_task_return_pointer (task, items, (GDestroyNotify) g_ptr_array_unref);
        else
          g_task_return_error (task, error);
        return;
      }

    case OP_LOAD:
    default:
      {
        Loaded *loaded = g_new0 (Loaded, 1);

        loaded->item = attest_store_get_review_item (self, op->item_id, &error);
        if (loaded->item == NULL)
          {
            loaded_free (loaded);
            g_task_return_error (task, error);
            return;
          }
        loaded->rejected = g_new0 (gboolean, MAX (loaded->item->n_candidates, 1));
        for (guint i = 0; i < loaded->item->n_candidates; i++)
          {
            loaded->rejected[i] =
              attest_store_is_rejected (self, op->item_id,
                                        loaded->item->candidates[i].identity_id, &error);
            if (error != NULL)
              {
                loaded_free (loaded);
                g_task_return_error (task, error);
                return;
              }
          }
        loaded->frames = attest_store_list_review_frames (self, op->item_id, &error);
        if (loaded->frames == NULL)
          {
            loaded_free (loaded);
            g_task_return_error (task, error);
            return;
          }
        g_task_return_pointer (task, loaded, loaded_free);
        return;
      }
    }
}

/* Every call here is one Op run by run_op on the store's writer thread. */
static void
start_op (AttestStore         *self,
          Op                  *op,
          gpointer             source_tag,
          GCancellable        *cancellable,
          GAsyncReadyCallback  callback,
          gpointer             user_data)
{
  _attest_store_start_task (self, op, op_free, run_op, source_tag, cancellable, callback,
                            user_data);
}

void
attest_store_decide_review_item_async (AttestStore          *self,
                                       AttestReviewDecision  decision,
                                       gint64                item_id,
                                       gint64                identity_id,
                                       const char           *actor,
                                       const char           *rationale,
                                       GCancellable         *cancellable,
                                       GAsyncReadyCallback   callback,
                                       gpointer              user_data)
{
  Op *op;

  g_return_if_fail (ATTEST_IS_STORE (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  op = g_new0 (Op, 1);
  op->kind = OP_DECIDE;
  op->decision = decision;
  op->item_id = item_id;
  op->identity_id = identity_id;
  op->actor = g_strdup (actor);
  op->rationale = g_strdup (rationale);
  start_op (self, op, attest_store_decide_review_item_async, cancellable, callback, user_data);
}

gboolean
attest_store_decide_review_item_finish (AttestStore   *self,
                                        GAsyncResult  *result,
                                        gint64        *out_id,
                                        GError       **error)
{
  g_autofree gint64 *id = NULL;

  g_return_val_if_fail (ATTEST_IS_STORE (self), FALSE);
  g_return_val_if_fail (_attest_store_is_result_of (self, result, attest_store_decide_review_item_async), FALSE);

  id = g_task_propagate_pointer (G_TASK (result), error);
  if (id == NULL)
    return FALSE;
  if (out_id != NULL)
    *out_id = *id;
  return TRUE;
}

void
attest_store_list_review_items_async (AttestStore         *self,
                                      const char          *status,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data)
{
  Op *op;

  g_return_if_fail (ATTEST_IS_STORE (self));

  op = g_new0 (Op, 1);
  op->kind = OP_LIST;
  op->status = g_strdup (status);
  start_op (self, op, attest_store_list_review_items_async, cancellable, callback, user_data);
}

GPtrArray *
attest_store_list_review_items_finish (AttestStore   *self,
                                       GAsyncResult  *result,
                                       GError       **error)
{
  g_return_val_if_fail (ATTEST_IS_STORE (self), NULL);
  g_return_val_if_fail (_attest_store_is_result_of (self, result, attest_store_list_review_items_async), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

void
attest_store_load_review_item_async (AttestStore         *self,
                                     gint64               item_id,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  Op *op;

  g_return_if_fail (ATTEST_IS_STORE (self));

  op = g_new0 (Op, 1);
  op->kind = OP_LOAD;
  op->item_id = item_id;
  start_op (self, op, attest_store_load_review_item_async, cancellable, callback, user_data);
}

AttestReviewItem *
attest_store_load_review_item_finish (AttestStore   *self,
                                      GAsyncResult  *result,
                                      gboolean     **rejected,
                                      GPtrArray    **frames,
                                      GError       **error)
{
  Loaded *loaded;
  AttestReviewItem *item;

  g_return_val_if_fail (ATTEST_IS_STORE (self), NULL);
  g_return_val_if_fail (_attest_store_is_result_of (self, result, attest_store_load_review_item_async), NULL);

  loaded = g_task_propagate_pointer (G_TASK (result), error);
  if (loaded == NULL)
    return NULL;
  item = g_steal_pointer (&loaded->item);
  if (rejected != NULL)
    *rejected = g_steal_pointer (&loaded->rejected);
  if (frames != NULL)
    *frames = g_steal_pointer (&loaded->frames);
  loaded_free (loaded);
  return item;
}
