"""The daily national-registry check (应急管理部 特种作业操作证查询): adapter, simulator, job, findings."""
