/* attest-store-matches-async.c: the _async/_finish variants of attest-matches.h's reads that
 * the UI makes, run on the store's one writer thread. */
#include "config.h"

#include "attest-matches.h"
#include "attest-store-private.h"

static void
run_list_sources (GTask        *task,
                  gpointer      source_object,
                  gpointer      task_data,
                  GCancellable *cancellable)
{
  GError *error = NULL;
  GPtrArray *sources = attest_store_list_sources_with_matches (source_object, &error);

  if (sources != NULL)
    g_task_return_pointer (task, sources, (GDestroyNotify) g_ptr_array_unref);
  else
    g_task_return_error (task, error);
}

void
attest_store_list_sources_with_matches_async (AttestStore         *self,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data)
{
  g_return_if_fail (ATTEST_IS_STORE (self));

  _attest_store_start_task (self, NULL, NULL, run_list_sources,
                            attest_store_list_sources_with_matches_async, cancellable, callback,
                            user_data);
}

GPtrArray *
attest_store_list_sources_with_matches_finish (AttestStore   *self,
                                               GAsyncResult  *result,
                                               GError       **error)
{
  g_return_val_if_fail (_attest_store_is_result_of (self, result,
                                                    attest_store_list_sources_with_matches_async),
                        NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
