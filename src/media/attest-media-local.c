/* attest-media-local.c: GStreamer may open only what the user chose, on this machine.
 *
 * A file can be a playlist (HLS, DASH, Smooth Streaming) or a session description (SDP) that
 * names addresses on the network: autoplugging hands it to an adaptive or network demuxer,
 * which fetches them, and so tells the file's author who opened the evidence, and when. Such
 * elements are removed from autoplugging where elements are chosen: their rank in the registry
 * is set to NONE (decodebin, uridecodebin, playbin and the discoverer consider only ranked
 * factories), once per process before any pipeline is built. What they would have handled then
 * arrives as a "missing plugin" for their input caps, which _attest_media_is_network_caps()
 * recognises so that the message says what the file is. Every pipeline's source is checked as
 * well (_attest_media_check_source): only file, camera and application sources are allowed. */
#include "attest-media-errors-private.h"

#include <glib/gi18n.h>
#include <string.h>

#include "media/attest-media-error.h"

static GHashTable *network_caps;  /* structure names, e.g. "application/x-hls" */

static gboolean
is_network_demuxer (GstElementFactory *factory)
{
  const char *klass = gst_element_factory_get_metadata (factory, GST_ELEMENT_METADATA_KLASS);

  if (klass == NULL)
    return FALSE;
  /* hlsdemux, dashdemux, mssdemux (and their "2" versions): "Codec/Demuxer/Adaptive";
   * sdpdemux: "Codec/Demuxer/Network/RTP". */
  return strstr (klass, "Adaptive") != NULL ||
         (strstr (klass, "Demuxer") != NULL && strstr (klass, "Network") != NULL);
}

static void
remember_sink_caps (GstElementFactory *factory)
{
  const GList *templates = gst_element_factory_get_static_pad_templates (factory);

  for (const GList *l = templates; l != NULL; l = l->next)
    {
      GstStaticPadTemplate *t = l->data;
      g_autoptr (GstCaps) caps = NULL;

      if (t->direction != GST_PAD_SINK)
        continue;
      caps = gst_static_caps_get (&t->static_caps);
      for (guint i = 0; caps != NULL && i < gst_caps_get_size (caps); i++)
        g_hash_table_add (network_caps,
                          g_strdup (gst_structure_get_name (gst_caps_get_structure (caps, i))));
    }
}

static gpointer
demote_network_elements (gpointer data)
{
  GList *factories = gst_registry_get_feature_list (gst_registry_get (),
                                                    GST_TYPE_ELEMENT_FACTORY);

  network_caps = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  /* Known even when no such plugin is installed, so the message is the same everywhere. */
  g_hash_table_add (network_caps, g_strdup ("application/x-hls"));
  g_hash_table_add (network_caps, g_strdup ("application/dash+xml"));
  g_hash_table_add (network_caps, g_strdup ("application/vnd.ms-sstr+xml"));
  g_hash_table_add (network_caps, g_strdup ("application/sdp"));

  for (GList *l = factories; l != NULL; l = l->next)
    {
      GstElementFactory *factory = l->data;

      if (!is_network_demuxer (factory))
        continue;
      remember_sink_caps (factory);
      gst_plugin_feature_set_rank (GST_PLUGIN_FEATURE (factory), GST_RANK_NONE);
      g_debug ("not autoplugged (it opens the network): %s",
               gst_plugin_feature_get_name (GST_PLUGIN_FEATURE (factory)));
    }
  gst_plugin_feature_list_free (factories);
  return NULL;
}

void
_attest_media_local_only (void)
{
  static GOnce once = G_ONCE_INIT;

  g_once (&once, demote_network_elements, NULL);
}

gboolean
_attest_media_is_network_caps (const char *text)
{
  GHashTableIter iter;
  const char *name;

  if (text == NULL)
    return FALSE;
  _attest_media_local_only ();
  g_hash_table_iter_init (&iter, network_caps);
  while (g_hash_table_iter_next (&iter, (gpointer *) &name, NULL))
    if (strstr (text, name) != NULL)
      return TRUE;
  return FALSE;
}

gboolean
_attest_media_source_is_local (GstElement *source)
{
  const char *name;
  GstElementFactory *factory;

  if (source == NULL || (factory = gst_element_get_factory (source)) == NULL)
    return FALSE;
  name = gst_plugin_feature_get_name (GST_PLUGIN_FEATURE (factory));
  return g_strcmp0 (name, "filesrc") == 0 || g_strcmp0 (name, "giosrc") == 0 ||
         g_strcmp0 (name, "v4l2src") == 0 || g_strcmp0 (name, "pipewiresrc") == 0 ||
         g_strcmp0 (name, "appsrc") == 0;
}

GError *
_attest_media_error_network (const char *display_name)
{
  return g_error_new (ATTEST_MEDIA_ERROR, ATTEST_MEDIA_ERROR_NOT_VIDEO,
                      _("“%s” is a playlist that points to the network: Attest opens only "
                        "local files, and has fetched nothing"), display_name);
}
