#!/usr/bin/env bash
# The end-to-end demo on samples/, into a fresh folder (default out/demo) with the embedded SQLite default.
set -euo pipefail
cd "$(dirname "$0")/.."

OUT="${PINGAN_DEMO_DIR:-out/demo}"
rm -rf "$OUT"
mkdir -p "$OUT"
export PINGAN_DATA_DIR="$OUT/data"
export PINGAN_ACTOR="${PINGAN_ACTOR:-演示}"
# The sample scans in samples/scans/ are signed with a public sample key, so the demo's data folder
# uses it; a real installation gets its own random key on first run (see README, Settings).
mkdir -p "$PINGAN_DATA_DIR"
( umask 077 && printf '%s\n' "pingan-sample-installation-key-not-for-real-use" > "$PINGAN_DATA_DIR/secret.key" )

step() { printf '\n\033[1m== %s\033[0m\n' "$1"; }

step "1. 初始化数据库，设置本区"
pingan init --district 清河区 --district-code 330199

step "2. 建立 2026 年度创建活动（默认规则）"
pingan campaign new --year 2026

step "3. 导入样例花名册（3 个乡镇、9 个村、324 户）"
pingan roster import samples/roster-2026.xlsx --year 2026

step "4. 再导入一次：不应有任何变化"
pingan roster import samples/roster-2026.xlsx --year 2026

step "5. 导入一份有问题的花名册：默认整份拒收，并逐行说明错误"
cp samples/roster-dirty.xlsx "$OUT/"
if pingan roster import "$OUT/roster-dirty.xlsx" --year 2026; then
  echo "意外：有问题的花名册被接受了" >&2
  exit 1
fi

step "6. 只导入正确的行（--skip-invalid），错误行另存为 Excel"
pingan roster import "$OUT/roster-dirty.xlsx" --year 2026 --skip-invalid

step "7. 导入任务指标（附件1）"
pingan quotas import samples/quotas-2026.xlsx --year 2026

step "8. 各乡镇汇总"
pingan summary --year 2026

step "9. 导出城关镇花名册"
pingan roster export --township 城关镇 --out "$OUT/城关镇花名册.xlsx"

step "10. 印制南关村的预填评分表与申报审批表（PDF：可打印，也可在电脑上填写）"
pingan forms score --year 2026 --village 南关村 --out "$OUT/表格"
pingan forms application --year 2026 --village 南关村 --out "$OUT/表格"

step "11. 印制南关村空白评分表 10 份（编号连续，供新户手写）"
pingan forms score --year 2026 --village 南关村 --blank 10 --out "$OUT/表格"

step "12. 北街社区的 Word 版申报审批表（每户一个 .docx）"
pingan forms application --year 2026 --village 北街社区 --format docx --out "$OUT/表格"

step "13. 识读样例扫描件（扫描仪 PDF、多页 TIFF、倒放的 JPEG）"
pingan scans read samples/scans/南关村-评分表-扫描.pdf samples/scans/南关村-申报审批表-扫描.tif samples/scans/南关村-评分表-倒放.jpg \
  --crops "$OUT/识读/切图" --debug-image "$OUT/识读/对齐检查图"

step "14. 扫描件入库：保存原件、识读、生成档案与复核项（再导入一次不会重复）"
pingan scans ingest samples/scans --year 2026
pingan scans ingest samples/scans --year 2026

step "15. 复核：查看待确认的栏目，逐项处理（演示：确认机器读数，一项改值，一项驳回）"
pingan review list
ids=$(pingan review list --ids)
first=$(echo "$ids" | head -1)
blank=$(pingan review list --reason blank --ids | head -1)
if [ -n "$blank" ]; then pingan review show "$blank" --out "$OUT/识读/复核切图"; pingan review set "$blank" 10; fi
if [ -n "$first" ] && [ "$first" != "$blank" ]; then pingan review reject "$first" --why "涂了两个分数，退回评审组重新确认"; fi
for id in $(pingan review list --ids); do pingan review accept "$id" >/dev/null || true; done
pingan review list

step "16. 创建进度与档案导出"
pingan status --year 2026 --township 城关镇
pingan households show 330199001001-0005
pingan records export --year 2026 --township 城关镇 --out "$OUT/城关镇档案-2026.xlsx"

step "17. 公文：城关镇命名决定（红头，附花名册）与南关村张榜公示（DOCX 可编辑，PDF 供打印）"
pingan docs naming --township 城关镇 --year 2026 --number "城关镇妇发〔2026〕3号" --date 2026-05-10 --out "$OUT/公文"
pingan docs notice --village 南关村 --year 2026 --start 2026-05-11 --out "$OUT/公文"

step "18. 命名之后：推荐花名册、区里命名示范户、授牌名单与授牌；附件1 完成情况与 6 月问效评估报告"
pingan docs model-roster --township 城关镇 --year 2026 --date 2026-05-20 --out "$OUT/公文"
pingan docs model-naming --year 2026 --number "清河妇发〔2026〕8号" --date 2026-05-25 --out "$OUT/公文"
pingan docs plaques --year 2026 --township 城关镇 --date 2026-06-01 --out "$OUT/公文"
pingan plaques award --year 2026 --township 城关镇 --date 2026-06-01 --note "村妇联主席代领"
pingan status --year 2026 --township 城关镇
pingan docs quotas --year 2026 --as-of 2026-06-30 --out "$OUT/公文"
pingan docs report --year 2026 --as-of 2026-06-30 --out "$OUT/公文"

step "19. 滚动管理：2028 年对已命名家庭开启复核（两年一次），印制复核用评分表"
pingan campaign new --year 2028
pingan review-cycle start --year 2028 --date 2028-03-01
pingan review-cycle list --year 2028
pingan forms score --year 2028 --village 南关村 --out "$OUT/表格/2028复核"
pingan review-cycle update --year 2028 --as-of 2028-05-01

step "20. 账号与接口服务：区、乡镇、村各一个示例账号（演示密码，仅供本机试用）"
DEMO_PASSWORD="pingan-demo-2026"
echo "$DEMO_PASSWORD" | pingan users add qinghe --role district --name 区妇联管理员 --password-stdin
echo "$DEMO_PASSWORD" | pingan users add chengguan --role township --unit 城关镇 --name 城关镇妇联 --password-stdin
echo "$DEMO_PASSWORD" | pingan users add nanguan --role village --unit 南关村 --name 南关村妇联 --password-stdin
pingan users list
TOKEN=$(pingan users token chengguan --label 演示 | sed -n 1p)

step "21. 接口服务：启动 pingan serve，用城关镇的令牌通过接口印制表格、上传扫描件（后台任务，显示进度），然后停止"
python scripts/demo_service.py "$TOKEN" "$OUT/接口" "samples/scans/南关村-评分表-倒放.jpg"

step "完成"
echo "数据库：$OUT/data/pingan.db"
echo "输出：$OUT/（城关镇花名册.xlsx，roster-dirty.rejected.xlsx 为被拒收的行）"
echo "表格：$OUT/表格/（每村一个 PDF，附印制登记表；Word 版在以“申报审批表”命名的文件夹中）"
echo "识读：$OUT/识读/（手写框与印章框切图、对齐检查图、复核切图）"
echo "档案：$OUT/城关镇档案-2026.xlsx（每户一行，仅计已确认的值）"
echo "公文：$OUT/公文/（命名决定、公示、示范户推荐花名册与命名决定、授牌名单（另有 XLSX）、附件1 完成情况、问效评估报告：各有 DOCX 与 PDF）"
echo "接口：$OUT/接口/（通过接口印制并下载的空白评分表）"
echo "工作台与接口服务：PINGAN_DATA_DIR=$OUT/data .venv/bin/pingan serve"
echo "  然后用浏览器打开 http://127.0.0.1:8000/ 登录（进度、复核、印制表格、上传扫描件、公文、任务）；接口文档在 http://127.0.0.1:8000/api/v1/docs"
echo "  示例账号 qinghe（区）、chengguan（城关镇）、nanguan（南关村），演示密码 $DEMO_PASSWORD"
echo "  城关镇的演示令牌：curl -H \"Authorization: Bearer $TOKEN\" http://127.0.0.1:8000/api/v1/status?year=2026"
echo "可继续用 PINGAN_DATA_DIR=$OUT/data .venv/bin/pingan … 查看，例如："
echo "  PINGAN_DATA_DIR=$OUT/data .venv/bin/pingan roster list --village 南关村"
