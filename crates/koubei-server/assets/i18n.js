// Every string the dashboard shows, in Chinese (the default) and English.
//
// The language is chosen once per page load: `?lang=en` or `?lang=zh` in the URL wins and
// is remembered in localStorage, otherwise the remembered choice, otherwise Chinese.
// Static text in the HTML shells carries `data-i18n="key"` (its text) or
// `data-i18n-label="key"` (its aria-label) and is translated by `translatePage`.

const STORAGE_KEY = 'koubei.lang';
const LANGUAGES = ['zh', 'en'];

const STRINGS = {
  zh: {
    'app.name': '口碑',
    'nav.overview': '概览',
    'nav.indicators': '指标树',
    'nav.reviews': '评论明细',
    'nav.compare': '对比',
    'nav.service': '客服',
    'nav.switch': 'English',
    'nav.switch_title': 'Switch to English',
    'title.overview': '口碑 · 概览',
    'title.indicators': '口碑 · 指标树',
    'title.indicator': '口碑 · 指标详情',
    'title.reviews': '口碑 · 评论明细',
    'title.compare': '口碑 · 对比',
    'title.service': '口碑 · 客服',

    'filter.label': '筛选条件',
    'filter.from': '开始日期',
    'filter.to': '结束日期',
    'filter.channel': '渠道',
    'filter.brand': '品牌',
    'filter.category': '品类',
    'filter.series': '系列',
    'filter.model': '型号',
    'filter.keyword': '关键词',
    'filter.keyword_hint': '评论或追评中的文字',
    'filter.polarity': '整体情感',
    'filter.mention_polarity': '提及情感',
    'filter.include_flagged': '包含已标记评论',
    'filter.all': '全部',
    'filter.apply': '筛选',
    'filter.reset': '重置',

    'polarity.positive': '正面',
    'polarity.neutral': '中性',
    'polarity.negative': '负面',
    'polarity.mixed': '混合',

    'channel.tmall': '天猫',
    'channel.taobao': '淘宝',
    'channel.jd': '京东',
    'channel.suning': '苏宁',
    'channel.pdd': '拼多多',
    'channel.douyin': '抖音',
    'channel.own_shop': '官网',
    'channel.other': '其他',

    'flag.empty': '空评论',
    'flag.default_review': '默认好评',
    'flag.no_experience': '未使用',
    'flag.low_information': '信息量低',
    'flag.incentivized': '好评返现',
    'flag.spam_contact': '引流广告',
    'flag.template_cluster': '模板评论',
    'flag.very_long': '超长',

    'status.loading': '加载中…',
    'status.failed': '请求失败（{status}）：{message}',
    'status.empty': '没有符合条件的数据',
    'status.none': '暂无',

    'col.indicator': '指标',
    'col.mentions': '提及',
    'col.positive': '正面',
    'col.neutral': '中性',
    'col.negative': '负面',
    'col.satisfaction': '满意度',
    'col.satisfaction_hint': '正面提及占全部提及的比例',
    'col.net_sentiment': '净情感值',
    'col.net_sentiment_hint': '（正面 − 负面）÷ 全部提及',
    'col.change_mentions': '提及变化',
    'col.change_satisfaction': '满意度变化',
    'col.change_net': '净情感变化',
    'col.reviews': '评论',
    'col.value': '取值',
    'col.count': '次数',
    'col.share': '占比',
    'col.polarity_split': '情感分布',

    'card.reviews': '评论',
    'card.mentions': '观点提及',
    'card.satisfaction': '满意度',
    'card.net_sentiment': '净情感值',
    'card.excluded': '已排除',
    'card.excluded_hint':
      '被标记（默认好评、返现、广告等）而未计入统计的评论；勾选“包含已标记评论”即可计入',

    'overview.trend': '评论量与净情感值',
    'overview.most_mentioned': '提及最多',
    'overview.most_praised': '好评最多',
    'overview.most_criticised': '差评最多',
    'overview.typical': '典型观点',
    'overview.reasons': '主要负面原因',
    'overview.alerts': '最近预警',
    'overview.no_alerts': '暂无预警。',
    'severity.low': '低',
    'severity.medium': '中',
    'severity.high': '高',
    'severity.critical': '紧急',
    'chart.reviews': '评论数',
    'chart.net_sentiment': '净情感值',
    'chart.satisfaction': '满意度',
    'chart.mentions': '提及',
    'chart.hint_click': '点击柱子查看该时段的评论',
    'granularity.day': '按日',
    'granularity.week': '按周',
    'granularity.month': '按月',

    'tree.heading': '指标树',
    'tree.expand_all': '全部展开',
    'tree.collapse_all': '全部收起',
    'tree.period': '变化列：{from} 至 {to}{basis}，对比 {pfrom} 至 {pto}',
    'tree.basis_latest': '（未选日期，取最新评论前 30 天；提及、满意度等其余各列为全部时间）',
    'tree.basis_selected': '（所选日期）',
    'tree.toggle': '展开或收起 {name}',
    'tree.sort_hint': '点击列标题排序',
    'change.up': '上升',
    'change.down': '下降',
    'change.points': '{value} 个百分点',

    'detail.heading': '指标详情',
    'detail.crumbs': '上级指标',
    'detail.missing': '缺少参数 indicator：请从指标树打开一个指标',
    'detail.trend': '提及趋势',
    'detail.positive_opinions': '正面典型观点',
    'detail.negative_opinions': '负面典型观点',
    'detail.reasons': '负面原因',
    'detail.children': '下级指标',
    'detail.by_channel': '按渠道',
    'detail.by_model': '按型号',
    'detail.latest': '最新评论',
    'detail.all_reviews': '查看全部 {count} 条评论 ›',

    'reviews.export': '导出 Excel',
    'reviews.export_hint': '把当前筛选出的全部评论下载为 .xlsx 文件',
    'reviews.export_too_many': '一次最多导出 {limit} 条评论，请先缩小筛选范围',
    'reviews.total': '共 {count} 条评论',
    'reviews.none': '没有符合条件的评论',
    'reviews.chip_indicator': '指标：{value}',
    'reviews.chip_typical': '典型观点：{value}',
    'reviews.chip_mention_polarity': '提及情感：{value}',
    'reviews.chip_remove': '移除条件 {value}',
    'reviews.followup': '追评',
    'reviews.overall': '整体{value}',
    'reviews.corrected': '已人工更正（系统判断：{engine}）',
    'reviews.correct': '更正为…',
    'reviews.correct_label': '更正此提及的情感',
    'reviews.prev': '‹ 上一页',
    'reviews.next': '下一页 ›',
    'reviews.page': '第 {page} / {pages} 页',
    'reviews.pager': '分页',

    'compare.heading': '对比',
    'compare.dimension': '对比维度',
    'compare.dim.brand': '品牌',
    'compare.dim.series': '系列',
    'compare.dim.model': '型号',
    'compare.dim.channel': '渠道',
    'compare.values': '对比对象',
    'compare.add': '添加…',
    'compare.reference': '基准',
    'compare.remove': '移除 {value}',
    'compare.hint':
      '满意度及其 95% 置信区间（Wilson）。▲▼ 表示与基准（第一个对象）的差异显著（p < 0.05，双方至少 5 次提及）。',
    'compare.chart': '{name}：满意度与 95% 置信区间',
    'compare.chart_hint': '点击表格中的指标名，图表切换到该指标',
    'compare.significant_up': '显著高于基准：{diff}，p = {p}',
    'compare.significant_down': '显著低于基准：{diff}，p = {p}',
    'compare.not_significant': '与基准差 {diff}，p = {p}',
    'compare.interval': '区间',

    'service.heading': '客服与服务指标',
    'service.trend': '服务相关提及',
    'service.complaints': '典型投诉',
    'service.indicators': '服务指标',
    'service.negative_line': '负面提及',

    'footer.licence': '图表：Apache ECharts（Apache-2.0 许可）',
    'nav.admin': '管理',
    'nav.logout': '退出登录',
    'role.viewer': '只读',
    'role.analyst': '分析师',
    'role.admin': '管理员',
    'role.ingest': '推送评论',
    'title.login': '口碑 · 登录',
    'login.heading': '登录口碑',
    'login.username': '用户名',
    'login.password': '密码',
    'login.submit': '登录',
    'login.no_account': '还没有账号？请管理员用 koubei user add 创建。',
    'login.wrong': '用户名或密码不对。',
    'login.locked': '失败次数太多，请 15 分钟后再试。',
    'title.setup': '口碑 · 创建管理员',
    'setup.heading': '创建第一个管理员账号',
    'setup.explain': '这个链接只能用一次；账号创建后即失效。',
    'setup.password': '密码（至少 10 个字符）',
    'setup.repeat': '再输入一次',
    'setup.submit': '创建并登录',
    'setup.mismatch': '两次输入的密码不一致。',
    'title.admin': '口碑 · 管理',
    'admin.heading': '账号、令牌与审计日志',
    'admin.users': '账号',
    'admin.add_user': '添加账号',
    'admin.username': '用户名',
    'admin.role': '角色',
    'admin.state': '状态',
    'admin.add': '添加',
    'admin.remove': '删除',
    'admin.confirm': '确认？',
    'admin.locked_until': '锁定至 {time}',
    'admin.tokens': 'API 令牌',
    'admin.add_token': '创建令牌',
    'admin.token_name': '用途',
    'admin.expires_days': '有效天数（留空为永久）',
    'admin.create': '创建',
    'admin.created': '创建时间',
    'admin.expires': '有效至 {time}',
    'admin.valid': '有效',
    'admin.invalid': '已失效',
    'admin.revoke': '吊销',
    'admin.secret_once': '新令牌（只显示这一次，请立即保存）：',
    'admin.delete_heading': '删除评论',
    'admin.delete_note': '应买家要求或按保留期限删除评论。先统计，确认数量后再删除；删除无法撤销，并记入审计日志。',
    'admin.delete_author': '买家昵称（张三 即 张*）',
    'admin.delete_channel': '渠道（配合昵称）',
    'admin.delete_file': '来源文件',
    'admin.delete_before': '此日期之前的评论',
    'admin.delete_review': '评论编号（评论页的 #）',
    'admin.delete_count': '统计',
    'admin.delete_matched': '符合条件的评论：{n} 条。',
    'admin.delete_as_stored': '昵称按存储的“{author}”查找。',
    'admin.delete_these': '删除这些评论',
    'admin.deleted': '已删除 {n} 条评论，已记入审计日志。',
    'admin.audit': '审计日志',
    'admin.at': '时间',
    'admin.actor': '操作者',
    'admin.action': '操作',
    'admin.detail': '详情',
  },
  en: {
    'app.name': 'Koubei',
    'nav.overview': 'Overview',
    'nav.indicators': 'Indicator tree',
    'nav.reviews': 'Reviews',
    'nav.compare': 'Compare',
    'nav.service': 'Service',
    'nav.switch': '中文',
    'nav.switch_title': '切换到中文',
    'title.overview': 'Koubei · Overview',
    'title.indicators': 'Koubei · Indicator tree',
    'title.indicator': 'Koubei · Indicator',
    'title.reviews': 'Koubei · Reviews',
    'title.compare': 'Koubei · Compare',
    'title.service': 'Koubei · Customer service',

    'filter.label': 'Filters',
    'filter.from': 'From',
    'filter.to': 'To',
    'filter.channel': 'Channel',
    'filter.brand': 'Brand',
    'filter.category': 'Category',
    'filter.series': 'Series',
    'filter.model': 'Model',
    'filter.keyword': 'Keyword',
    'filter.keyword_hint': 'Text in the review or its follow-up',
    'filter.polarity': 'Review polarity',
    'filter.mention_polarity': 'Mention polarity',
    'filter.include_flagged': 'Include flagged reviews',
    'filter.all': 'All',
    'filter.apply': 'Apply',
    'filter.reset': 'Reset',

    'polarity.positive': 'Positive',
    'polarity.neutral': 'Neutral',
    'polarity.negative': 'Negative',
    'polarity.mixed': 'Mixed',

    'channel.tmall': 'Tmall',
    'channel.taobao': 'Taobao',
    'channel.jd': 'JD',
    'channel.suning': 'Suning',
    'channel.pdd': 'Pinduoduo',
    'channel.douyin': 'Douyin',
    'channel.own_shop': 'Own shop',
    'channel.other': 'Other',

    'flag.empty': 'Empty',
    'flag.default_review': 'Default review',
    'flag.no_experience': 'Not used yet',
    'flag.low_information': 'Low information',
    'flag.incentivized': 'Incentivised',
    'flag.spam_contact': 'Spam contact',
    'flag.template_cluster': 'Template',
    'flag.very_long': 'Very long',

    'status.loading': 'Loading…',
    'status.failed': 'Request failed ({status}): {message}',
    'status.empty': 'Nothing matches the filter',
    'status.none': 'None',

    'col.indicator': 'Indicator',
    'col.mentions': 'Mentions',
    'col.positive': 'Positive',
    'col.neutral': 'Neutral',
    'col.negative': 'Negative',
    'col.satisfaction': 'Satisfaction',
    'col.satisfaction_hint': 'Positive mentions as a share of all mentions',
    'col.net_sentiment': 'Net sentiment',
    'col.net_sentiment_hint': '(positive − negative) ÷ all mentions',
    'col.change_mentions': 'Mentions Δ',
    'col.change_satisfaction': 'Satisfaction Δ',
    'col.change_net': 'Net sentiment Δ',
    'col.reviews': 'Reviews',
    'col.value': 'Value',
    'col.count': 'Count',
    'col.share': 'Share',
    'col.polarity_split': 'Polarity',

    'card.reviews': 'Reviews',
    'card.mentions': 'Mentions',
    'card.satisfaction': 'Satisfaction',
    'card.net_sentiment': 'Net sentiment',
    'card.excluded': 'Excluded',
    'card.excluded_hint':
      'Flagged reviews (default reviews, incentivised, spam …) left out of the figures; tick “Include flagged reviews” to count them',

    'overview.trend': 'Review volume and net sentiment',
    'overview.most_mentioned': 'Most mentioned',
    'overview.most_praised': 'Most praised',
    'overview.most_criticised': 'Most criticised',
    'overview.typical': 'Typical opinions',
    'overview.reasons': 'Top negative reasons',
    'overview.alerts': 'Recent alerts',
    'overview.no_alerts': 'No alerts.',
    'severity.low': 'Low',
    'severity.medium': 'Medium',
    'severity.high': 'High',
    'severity.critical': 'Critical',
    'chart.reviews': 'Reviews',
    'chart.net_sentiment': 'Net sentiment',
    'chart.satisfaction': 'Satisfaction',
    'chart.mentions': 'Mentions',
    'chart.hint_click': 'Click a bar for the reviews of that period',
    'granularity.day': 'daily',
    'granularity.week': 'weekly',
    'granularity.month': 'monthly',

    'tree.heading': 'Indicator tree',
    'tree.expand_all': 'Expand all',
    'tree.collapse_all': 'Collapse all',
    'tree.period': 'Change columns: {from} to {to}{basis}, against {pfrom} to {pto}',
    'tree.basis_latest': ' (no dates chosen: the 30 days up to the newest review; mentions, satisfaction and the other columns cover all time)',
    'tree.basis_selected': ' (selected dates)',
    'tree.toggle': 'Expand or collapse {name}',
    'tree.sort_hint': 'Click a column heading to sort',
    'change.up': 'up',
    'change.down': 'down',
    'change.points': '{value} points',

    'detail.heading': 'Indicator',
    'detail.crumbs': 'Parent indicators',
    'detail.missing': 'No indicator given: open one from the indicator tree',
    'detail.trend': 'Mentions over time',
    'detail.positive_opinions': 'Positive typical opinions',
    'detail.negative_opinions': 'Negative typical opinions',
    'detail.reasons': 'Negative reasons',
    'detail.children': 'Child indicators',
    'detail.by_channel': 'By channel',
    'detail.by_model': 'By model',
    'detail.latest': 'Latest reviews',
    'detail.all_reviews': 'All {count} reviews ›',

    'reviews.export': 'Export to Excel',
    'reviews.export_hint': 'Download every review of this selection as an .xlsx file',
    'reviews.export_too_many': 'An export holds at most {limit} reviews: narrow the filter first',
    'reviews.total': '{count} reviews',
    'reviews.none': 'No review matches the filter',
    'reviews.chip_indicator': 'Indicator: {value}',
    'reviews.chip_typical': 'Typical opinion: {value}',
    'reviews.chip_mention_polarity': 'Mention polarity: {value}',
    'reviews.chip_remove': 'Remove {value}',
    'reviews.followup': 'Follow-up',
    'reviews.overall': 'Overall {value}',
    'reviews.corrected': 'corrected by hand (the engine said {engine})',
    'reviews.correct': 'Correct to…',
    'reviews.correct_label': 'Correct the sentiment of this mention',
    'reviews.prev': '‹ Previous',
    'reviews.next': 'Next ›',
    'reviews.page': 'Page {page} of {pages}',
    'reviews.pager': 'Pages',

    'compare.heading': 'Compare',
    'compare.dimension': 'Dimension',
    'compare.dim.brand': 'Brand',
    'compare.dim.series': 'Series',
    'compare.dim.model': 'Model',
    'compare.dim.channel': 'Channel',
    'compare.values': 'Compared',
    'compare.add': 'Add…',
    'compare.reference': 'reference',
    'compare.remove': 'Remove {value}',
    'compare.hint':
      'Satisfaction with its 95 % confidence interval (Wilson). ▲▼ mark a significant difference from the reference, the first value (p < 0.05, at least 5 mentions on each side).',
    'compare.chart': '{name}: satisfaction and 95 % interval',
    'compare.chart_hint': 'Click an indicator name in the table to chart it',
    'compare.significant_up': 'Significantly above the reference: {diff}, p = {p}',
    'compare.significant_down': 'Significantly below the reference: {diff}, p = {p}',
    'compare.not_significant': '{diff} against the reference, p = {p}',
    'compare.interval': 'Interval',

    'service.heading': 'Customer service',
    'service.trend': 'Service mentions',
    'service.complaints': 'Typical complaints',
    'service.indicators': 'Service indicators',
    'service.negative_line': 'Negative mentions',

    'footer.licence': 'Charts: Apache ECharts (Apache-2.0)',
    'nav.admin': 'Admin',
    'nav.logout': 'Sign out',
    'role.viewer': 'Viewer',
    'role.analyst': 'Analyst',
    'role.admin': 'Admin',
    'role.ingest': 'Push reviews',
    'title.login': 'Koubei · Sign in',
    'login.heading': 'Sign in to Koubei',
    'login.username': 'Username',
    'login.password': 'Password',
    'login.submit': 'Sign in',
    'login.no_account': 'No account yet? An admin creates one with koubei user add.',
    'login.wrong': 'Wrong username or password.',
    'login.locked': 'Too many failed attempts; try again in 15 minutes.',
    'title.setup': 'Koubei · First admin',
    'setup.heading': 'Create the first admin account',
    'setup.explain': 'This link works once; it expires when the account exists.',
    'setup.password': 'Password (at least 10 characters)',
    'setup.repeat': 'Repeat it',
    'setup.submit': 'Create and sign in',
    'setup.mismatch': 'The two passwords differ.',
    'title.admin': 'Koubei · Admin',
    'admin.heading': 'Accounts, tokens and the audit log',
    'admin.users': 'Accounts',
    'admin.add_user': 'Add an account',
    'admin.username': 'Username',
    'admin.role': 'Role',
    'admin.state': 'State',
    'admin.add': 'Add',
    'admin.remove': 'Remove',
    'admin.confirm': 'Sure?',
    'admin.locked_until': 'locked until {time}',
    'admin.tokens': 'API tokens',
    'admin.add_token': 'Create a token',
    'admin.token_name': 'Purpose',
    'admin.expires_days': 'Days valid (empty: no expiry)',
    'admin.create': 'Create',
    'admin.created': 'Created',
    'admin.expires': 'valid until {time}',
    'admin.valid': 'valid',
    'admin.invalid': 'no longer valid',
    'admin.revoke': 'Revoke',
    'admin.secret_once': 'New token (shown only now; save it): ',
    'admin.delete_heading': 'Delete reviews',
    'admin.delete_note': 'Delete reviews at a buyer\'s request or past a retention period. Count first, then delete; there is no undo, and the deletion is in the audit log.',
    'admin.delete_author': 'Buyer\'s nickname (张三 means 张*)',
    'admin.delete_channel': 'Channel (with a nickname)',
    'admin.delete_file': 'Source file',
    'admin.delete_before': 'Reviews before this day',
    'admin.delete_review': 'Review number (the # on the reviews page)',
    'admin.delete_count': 'Count',
    'admin.delete_matched': '{n} reviews match.',
    'admin.delete_as_stored': 'The nickname is looked up as stored: "{author}".',
    'admin.delete_these': 'Delete these reviews',
    'admin.deleted': '{n} reviews deleted, recorded in the audit log.',
    'admin.audit': 'Audit log',
    'admin.at': 'Time',
    'admin.actor': 'Who',
    'admin.action': 'Action',
    'admin.detail': 'Detail',
  },
};

/** The language of this page load: 'zh' or 'en'. */
export const lang = chooseLanguage();

function chooseLanguage() {
  const asked = new URLSearchParams(window.location.search).get('lang');
  if (LANGUAGES.includes(asked)) {
    remember(asked);
    return asked;
  }
  let stored = null;
  try {
    stored = window.localStorage.getItem(STORAGE_KEY);
  } catch {
    stored = null;
  }
  return LANGUAGES.includes(stored) ? stored : 'zh';
}

function remember(language) {
  try {
    window.localStorage.setItem(STORAGE_KEY, language);
  } catch {
    // Private windows may refuse storage; the URL parameter still works.
  }
}

/** The locale for numbers and dates in this language. */
export const locale = lang === 'en' ? 'en-GB' : 'zh-CN';

/**
 * The string `key` in this page's language, with `{name}` placeholders replaced from
 * `vars`. A key missing in English falls back to Chinese, an unknown key to itself.
 */
export function t(key, vars = {}) {
  const template = STRINGS[lang][key] ?? STRINGS.zh[key] ?? key;
  return template.replace(/\{(\w+)\}/g, (whole, name) =>
    name in vars ? String(vars[name]) : whole);
}

/** Whether `key` has a string (so that unknown codes can be shown as they are). */
export function hasString(key) {
  return key in STRINGS.zh;
}

/** Translates the static text of the page and sets `<html lang>`. */
export function translatePage() {
  document.documentElement.lang = lang === 'en' ? 'en' : 'zh-CN';
  for (const node of document.querySelectorAll('[data-i18n]')) {
    node.textContent = t(node.dataset.i18n);
  }
  for (const node of document.querySelectorAll('[data-i18n-label]')) {
    node.setAttribute('aria-label', t(node.dataset.i18nLabel));
  }
  for (const node of document.querySelectorAll('[data-i18n-title]')) {
    node.setAttribute('title', t(node.dataset.i18nTitle));
  }
}

/** Remembers the other language and reloads the page in it, filters unchanged. */
export function switchLanguage() {
  const next = lang === 'en' ? 'zh' : 'en';
  remember(next);
  const url = new URL(window.location.href);
  if (url.searchParams.has('lang')) url.searchParams.set('lang', next);
  window.location.assign(url.toString());
}
