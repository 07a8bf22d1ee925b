"""Forms (表格): the 评分表 and 申报审批表 — layouts, PDF and Word rendering, serials and the register."""
