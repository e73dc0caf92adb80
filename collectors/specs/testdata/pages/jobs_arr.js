/* position list, generated 2018-03-02 10:21 */
let arr = [
  {"positionId": 4123001, "positionName": "风控策略经理", "companyFullName": "杭州信融数据科技有限公司", "city": "杭州", "district": "西湖区", "salary": "20k-35k", "education": "硕士", "createTime": "2018-03-01 18:02:11", "positionAdvantage": "弹性工作\/六险一金"},
  {"positionId": 4123002, "positionName": "Java开发工程师", "companyFullName": "上海点融网络科技有限公司", "city": "上海", "district": "浦东新区", "salary": "15k-25k", "education": "本科", "createTime": "2018-03-01 17:40:09", "positionAdvantage": "技术氛围好"},
  {"positionId": 4123003, "positionName": "数据分析师", "companyFullName": "深圳前海微众银行股份有限公司", "city": "深圳", "district": "南山区", "salary": "面议", "education": "本科", "createTime": "2018-02-28 09:15:00", "positionAdvantage": "平台大"},
];
renderList(arr);
