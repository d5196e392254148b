/* attest-store-gallery-async.c: the _async/_finish variants of attest-gallery.h.
 *
 * Each copies its arguments and runs the plain call on the store's one writer thread
 * (_attest_store_run_in_worker), so calls run in the order they were made and the UI never
 * waits on the disk. */
#include "config.h"

#include "attest-store-gallery-private.h"

typedef enum
{
  OP_ENROL,
  OP_LIST_IDENTITIES,
  OP_LIST_FACES,
  OP_GET_FACE,
  OP_RENAME,
  OP_MERGE,
  OP_UNMERGE,
  OP_DELETE_FACE,
  OP_DELETE_IDENTITY,
  OP_FOREACH,
} OpKind;

typedef struct
{
  OpKind               kind;
  gint64               id;         /* identity or face; merge: from */
  gint64               other_id;   /* merge: into */
  char                *text;       /* search, new name or model id */
  char                *actor;
  char                *rationale;
  AttestEnrolment      enrolment;  /* strings, embedding and thumbnail owned here */
  AttestEmbeddingFunc  func;
  gpointer             func_data;
} Op;

typedef struct
{
  gint64   face_id;
  gboolean duplicate;
} EnrolResult;

static void
op_free (gpointer data)
{
  Op *op = data;
  AttestEnrolment *e = &op->enrolment;

  g_free (op->text);
  g_free (op->actor);
  g_free (op->rationale);
  g_free ((char *) e->identity_name);
  g_free ((char *) e->notes);
  g_free ((char *) e->basis);
  g_free ((char *) e->actor);
  g_free ((float *) e->embedding);
  g_free ((char *) e->model_id);
  g_clear_pointer (&e->thumbnail_png, g_bytes_unref);
  g_free ((char *) e->source_uri);
  g_free ((char *) e->source_sha256);
  g_free ((char *) e->file_sha256);
  g_free (op);
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
  gboolean ok = FALSE;

  switch (op->kind)
    {
    case OP_ENROL:
      {
        EnrolResult *result = g_new0 (EnrolResult, 1);

        if (attest_store_enrol_face (self, &op->enrolment, &result->face_id,
                                     &result->duplicate, &error))
          g_task_return_pointer (task, result, g_free);
        else
          {
            g_free (result);
            g_task_return_error (task, error);
          }
        return;
      }

    case OP_LIST_IDENTITIES:
    case OP_LIST_FACES:
      {
        GListStore *list = op->kind == OP_LIST_IDENTITIES
                           ? attest_store_list_identities (self, op->text, &error)
                           : attest_store_list_faces (self, op->id, &error);

        if (list != NULL)
          g_task_return_pointer (task, list, g_object_unref);
        else
          g_task_return_error (task, error);
        return;
      }

    case OP_FOREACH:
      {
        gint64 n = _attest_gallery_foreach_embedding (self, op->text, op->func, op->func_data,
                                                      cancellable, &error);

        if (n >= 0)
          g_task_return_int (task, n);
        else
          g_task_return_error (task, error);
        return;
      }

    case OP_RENAME:
      ok = attest_store_rename_identity (self, op->id, op->text, op->actor, &error);
      break;
    case OP_MERGE:
      ok = attest_store_merge_identities (self, op->id, op->other_id, op->actor, op->rationale,
                                          &error);
      break;
    case OP_UNMERGE:
      ok = attest_store_undo_merge (self, op->id, op->other_id, op->actor, NULL, &error);
      break;
    case OP_GET_FACE:
      {
        AttestFace *face = attest_store_get_face (self, op->id, &error);

        if (face != NULL)
          g_task_return_pointer (task, face, g_object_unref);
        else
          g_task_return_error (task, error);
        return;
      }
    case OP_DELETE_FACE:
      ok = attest_store_delete_face (self, op->id, op->actor, &error);
      break;
    case OP_DELETE_IDENTITY:
      ok = attest_store_delete_identity (self, op->id, op->actor, &error);
      break;
    default:
      g_assert_not_reached ();
    }

  if (ok)
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static Op *
op_new (OpKind kind)
{
  Op *op = g_new0 (Op, 1);

  op->kind = kind;
  op->id = -1;
  op->other_id = -1;
  return op;
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
attest_store_enrol_face_async (AttestStore            *self,
                               const AttestEnrolment  *e,
                               GCancellable           *cancellable,
                               GAsyncReadyCallback     callback,
                               gpointer                user_data)
{
  Op *op;
  AttestEnrolment *copy;

  g_return_if_fail (ATTEST_IS_STORE (self));
  g_return_if_fail (e != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  op = op_new (OP_ENROL);
  copy = &op->enrolment;
  *copy = *e;
  copy->identity_name = g_strdup (e->identity_name);
  copy->notes = g_strdup (e->notes);
  copy->basis = g_strdup (e->basis);
  copy->actor = g_strdup (e->actor);
  copy->embedding = e->embedding != NULL
                    ? g_memdup2 (e->embedding, ATTEST_GALLERY_EMBEDDING_DIM * sizeof (float))
                    : NULL;
  copy->model_id = g_strdup (e->model_id);
  copy->thumbnail_png = e->thumbnail_png != NULL ? g_bytes_ref (e->thumbnail_png) : NULL;
  copy->source_uri = g_strdup (e->source_uri);
  copy->source_sha256 = g_strdup (e->source_sha256);
  copy->file_sha256 = g_strdup (e->file_sha256);

  start_op (self, op, attest_store_enrol_face_async, cancellable, callback, user_data);
}

gboolean
attest_store_enrol_face_finish (AttestStore   *self,
                                GAsyncResult  *result,
                                gint64        *face_id_out,
                                gboolean      *duplicate_out,
                                GError       **error)
{
  g_autofree EnrolResult *enrolled = NULL;

  g_return_val_if_fail (ATTEST_IS_STORE (self), FALSE);
  g_return_val_if_fail (_attest_store_is_result_of (self, result, attest_store_enrol_face_async), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (face_id_out != NULL)
    *face_id_out = -1;
  if (duplicate_out != NULL)
    *duplicate_out = FALSE;

  enrolled = g_task_propagate_pointer (G_TASK (result), error);
  if (enrolled == NULL)
    return FALSE;

  if (face_id_out != NULL)
    *face_id_out = enrolled->face_id;
  if (duplicate_out != NULL)
    *duplicate_out = enrolled->duplicate;
  return TRUE;
}

void
attest_store_list_identities_async (AttestStore         *self,
                                    const char          *search,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  Op *op;

  g_return_if_fail (ATTEST_IS_STORE (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  op = op_new (OP_LIST_IDENTITIES);
  op->text = g_strdup (search);
  start_op (self, op, attest_store_list_identities_async, cancellable, callback, user_data);
}

GListStore *
attest_store_list_identities_finish (AttestStore   *self,
                                     GAsyncResult  *result,
                                     GError       **error)
{
  g_return_val_if_fail (ATTEST_IS_STORE (self), NULL);
  g_return_val_if_fail (_attest_store_is_result_of (self, result, attest_store_list_identities_async), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

void
attest_store_list_faces_async (AttestStore         *self,
                               gint64               identity_id,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  Op *op;

  g_return_if_fail (ATTEST_IS_STORE (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  op = op_new (OP_LIST_FACES);
  op->id = identity_id;
  start_op (self, op, attest_store_list_faces_async, cancellable, callback, user_data);
}

void
attest_store_get_face_async (AttestStore         *self,
                             gint64               face_id,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  Op *op;

  g_return_if_fail (ATTEST_IS_STORE (self));

  op = op_new (OP_GET_FACE);
  op->id = face_id;
  start_op (self, op, attest_store_get_face_async, cancellable, callback, user_data);
}

AttestFace *
attest_store_get_face_finish (AttestStore   *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (ATTEST_IS_STORE (self), NULL);
  g_return_val_if_fail (_attest_store_is_result_of (self, result, attest_store_get_face_async), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

GListStore *
attest_store_list_faces_finish (AttestStore   *self,
                                GAsyncResult  *result,
                                GError       **error)
{
  g_return_val_if_fail (ATTEST_IS_STORE (self), NULL);
  g_return_val_if_fail (_attest_store_is_result_of (self, result, attest_store_list_faces_async), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

void
attest_store_rename_identity_async (AttestStore         *self,
                                    gint64               identity_id,
                                    const char          *new_name,
                                    const char          *actor,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  Op *op;

  g_return_if_fail (ATTEST_IS_STORE (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  op = op_new (OP_RENAME);
  op->id = identity_id;
  op->text = g_strdup (new_name);
  op->actor = g_strdup (actor);
  start_op (self, op, attest_store_rename_identity_async, cancellable, callback, user_data);
}

static gboolean
finish_boolean (AttestStore   *self,
                GAsyncResult  *result,
                gpointer       source_tag,
                GError       **error)
{
  g_return_val_if_fail (ATTEST_IS_STORE (self), FALSE);
  g_return_val_if_fail (_attest_store_is_result_of (self, result, source_tag), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

gboolean
attest_store_rename_identity_finish (AttestStore   *self,
                                     GAsyncResult  *result,
                                     GError       **error)
{
  return finish_boolean (self, result, attest_store_rename_identity_async, error);
}

void
attest_store_merge_identities_async (AttestStore         *self,
                                     gint64               from_id,
                                     gint64               into_id,
                                     const char          *actor,
                                     const char          *rationale,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  Op *op;

  g_return_if_fail (ATTEST_IS_STORE (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  op = op_new (OP_MERGE);
  op->id = from_id;
  op->other_id = into_id;
  op->actor = g_strdup (actor);
  op->rationale = g_strdup (rationale);
  start_op (self, op, attest_store_merge_identities_async, cancellable, callback, user_data);
}

gboolean
attest_store_merge_identities_finish (AttestStore   *self,
                                      GAsyncResult  *result,
                                      GError       **error)
{
  return finish_boolean (self, result, attest_store_merge_identities_async, error);
}

void
attest_store_undo_merge_async (AttestStore         *self,
                               gint64               from_id,
                               gint64               into_id,
                               const char          *actor,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  Op *op;

  g_return_if_fail (ATTEST_IS_STORE (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  op = op_new (OP_UNMERGE);
  op->id = from_id;
  op->other_id = into_id;
  op->actor = g_strdup (actor);
  start_op (self, op, attest_store_undo_merge_async, cancellable, callback, user_data);
}

gboolean
attest_store_undo_merge_finish (AttestStore   *self,
                                GAsyncResult  *result,
                                GError       **error)
{
  return finish_boolean (self, result, attest_store_undo_merge_async, error);
}

void
attest_store_delete_face_async (AttestStore         *self,
                                gint64               face_id,
                                const char          *actor,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  Op *op;

  g_return_if_fail (ATTEST_IS_STORE (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  op = op_new (OP_DELETE_FACE);
  op->id = face_id;
  op->actor = g_strdup (actor);
  start_op (self, op, attest_store_delete_face_async, cancellable, callback, user_data);
}

gboolean
attest_store_delete_face_finish (AttestStore   *self,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  return finish_boolean (self, result, attest_store_delete_face_async, error);
}

void
attest_store_delete_identity_async (AttestStore         *self,
                                    gint64               identity_id,
                                    const char          *actor,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  Op *op;

  g_return_if_fail (ATTEST_IS_STORE (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  op = op_new (OP_DELETE_IDENTITY);
  op->id = identity_id;
  op->actor = g_strdup (actor);
  start_op (self, op, attest_store_delete_identity_async, cancellable, callback, user_data);
}

gboolean
attest_store_delete_identity_finish (AttestStore   *self,
                                     GAsyncResult  *result,
                                     GError       **error)
{
  return finish_boolean (self, result, attest_store_delete_identity_async, error);
}

void
attest_store_foreach_embedding_async (AttestStore          *self,
                                      const char           *model_id,
                                      AttestEmbeddingFunc   func,
                                      gpointer              func_data,
                                      GCancellable         *cancellable,
                                      GAsyncReadyCallback   callback,
                                      gpointer              user_data)
{
  Op *op;

  g_return_if_fail (ATTEST_IS_STORE (self));
  g_return_if_fail (func != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  op = op_new (OP_FOREACH);
  op->text = g_strdup (model_id);
  op->func = func;
  op->func_data = func_data;
  start_op (self, op, attest_store_foreach_embedding_async, cancellable, callback, user_data);
}

gint64
attest_store_foreach_embedding_finish (AttestStore   *self,
                                       GAsyncResult  *result,
                                       GError       **error)
{
  g_return_val_if_fail (ATTEST_IS_STORE (self), -1);
  g_return_val_if_fail (_attest_store_is_result_of (self, result, attest_store_foreach_embedding_async), -1);
  g_return_val_if_fail (error == NULL || *error == NULL, -1);

  return g_task_propagate_int (G_TASK (result), error);
}
