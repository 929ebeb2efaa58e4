"""``htcondor2.SubmitResult``: what ``Schedd.submit()`` queued."""

import classad2 as classad


class SubmitResult:
    def __init__(self, clusterID, procID, num_procs, clusterAd, spooled_proc_ads):
        self._cluster = clusterID
        self._first_proc = procID
        self._num_procs = num_procs
        self._clusterad = clusterAd
        self._spooled_proc_ads = spooled_proc_ads

    def cluster(self) -> int:
        """The cluster id of the submitted jobs."""
        return self._cluster

    def clusterad(self) -> classad.ClassAd:
        """The attributes the cluster's jobs share."""
        return self._clusterad

    def first_proc(self) -> int:
        return self._first_proc

    def num_procs(self) -> int:
        return self._num_procs

    def __int__(self):
        return self._cluster

    def __str__(self):
        return "Submitted %d job(s) to cluster %d." % (self._num_procs, self._cluster)

    def __repr__(self):
        return "SubmitResult(cluster=%d, first_proc=%d, num_procs=%d)" % (self._cluster, self._first_proc, self._num_procs)
