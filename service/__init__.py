"""pingan：平安家庭创建工作的表格、扫描识读、档案与公文系统 (the application)."""

__version__ = "0.1.0"
